//! The rules of moving a client through the lifecycle and a deal through the pipeline, in
//! one place, pure and unit-tested: which moves are allowed, which need a reason, and which
//! go through with a warning the user is shown.
use super::model::DealStage;
use crate::clients::model::LifecycleStage;
use serde::{Deserialize, Serialize};

/// What the rules say about a move. Keys are translation keys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// The move may go ahead; `warning` is shown to the user when present.
    Allowed { warning: Option<String> },
    /// The move goes ahead only with a reason (the message says why one is asked for).
    NeedsReason(String),
    /// The move is not possible; the message says why.
    Refused(String),
}

impl Verdict {
    fn allowed() -> Verdict {
        Verdict::Allowed { warning: None }
    }

    fn warn(key: &str) -> Verdict {
        Verdict::Allowed {
            warning: Some(key.to_string()),
        }
    }

    /// Applies a given reason: a move that needed one is allowed once it has one.
    pub fn with_reason(self, reason: Option<&str>) -> Verdict {
        match self {
            Verdict::NeedsReason(_) if reason.is_some_and(|r| !r.trim().is_empty()) => {
                Verdict::allowed()
            }
            other => other,
        }
    }
}

/// What the lifecycle rules need to know about the client besides its stages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClientFacts {
    /// The client has at least one committed or closed deal.
    pub has_committed_deal: bool,
}

/// May a client move from `from` to `to`?
pub fn lifecycle_move(from: LifecycleStage, to: LifecycleStage, facts: ClientFacts) -> Verdict {
    use LifecycleStage::*;
    match (from, to) {
        (a, b) if a == b => Verdict::Refused("move.same_stage".into()),
        // A lost client comes back only as a new acquisition, and someone says why.
        (Lost, Acquisition) => Verdict::NeedsReason("move.reason_reactivation".into()),
        (Lost, _) => Verdict::Refused("move.lost_reenters_at_acquisition".into()),
        (_, Decline) | (_, Lost) => Verdict::NeedsReason("move.reason_decline".into()),
        (_, Maturity) if !facts.has_committed_deal => {
            Verdict::warn("move.warn_maturity_no_commitment")
        }
        _ => Verdict::allowed(),
    }
}

/// What the pipeline rules need to know about the deal and its investor.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DealFacts {
    pub has_committed_amount: bool,
    /// The investor's KYC is valid and not past its review date.
    pub kyc_valid: bool,
}

/// May a deal move from `from` to `to`?
pub fn deal_move(from: DealStage, to: DealStage, facts: DealFacts) -> Verdict {
    use DealStage::*;
    match (from, to) {
        (a, b) if a == b => Verdict::Refused("move.same_stage".into()),
        (Closed, _) => Verdict::Refused("move.closed_is_final".into()),
        (_, Closed) if from != Committed => Verdict::Refused("move.close_after_commitment".into()),
        (_, Committed) | (_, Closed) if !facts.has_committed_amount => {
            Verdict::Refused("deal.committed_required".into())
        }
        (_, Committed) | (_, Closed) if !facts.kyc_valid => {
            Verdict::Refused("move.kyc_required".into())
        }
        (_, Declined) => Verdict::NeedsReason("move.reason_declined".into()),
        (Declined, _) => Verdict::NeedsReason("move.reason_reopen".into()),
        _ => Verdict::allowed(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DealStage as D;
    use LifecycleStage as L;

    #[test]
    fn lifecycle_moves_forward_and_back_but_lost_reenters_at_acquisition() {
        let facts = ClientFacts {
            has_committed_deal: true,
        };
        assert_eq!(
            lifecycle_move(L::Acquisition, L::Development, facts),
            Verdict::allowed()
        );
        assert_eq!(
            lifecycle_move(L::Maturity, L::Development, facts),
            Verdict::allowed()
        );
        assert_eq!(
            lifecycle_move(L::Development, L::Maturity, facts),
            Verdict::allowed()
        );
        assert!(matches!(
            lifecycle_move(L::Maturity, L::Maturity, facts),
            Verdict::Refused(_)
        ));
        assert!(matches!(
            lifecycle_move(L::Lost, L::Maturity, facts),
            Verdict::Refused(_)
        ));
        assert!(matches!(
            lifecycle_move(L::Lost, L::Acquisition, facts),
            Verdict::NeedsReason(_)
        ));
    }

    #[test]
    fn decline_and_lost_need_a_reason() {
        let facts = ClientFacts::default();
        for to in [L::Decline, L::Lost] {
            let verdict = lifecycle_move(L::Maturity, to, facts);
            assert!(matches!(verdict, Verdict::NeedsReason(_)));
            assert!(matches!(
                verdict.clone().with_reason(Some("  ")),
                Verdict::NeedsReason(_)
            ));
            assert_eq!(
                verdict.with_reason(Some("资金转投他处")),
                Verdict::allowed()
            );
        }
    }

    #[test]
    fn maturity_without_a_commitment_warns() {
        assert_eq!(
            lifecycle_move(L::Development, L::Maturity, ClientFacts::default()),
            Verdict::warn("move.warn_maturity_no_commitment")
        );
    }

    #[test]
    fn commitments_need_an_amount_and_valid_kyc() {
        let ok = DealFacts {
            has_committed_amount: true,
            kyc_valid: true,
        };
        assert_eq!(
            deal_move(D::TermSheet, D::Committed, ok),
            Verdict::allowed()
        );
        let no_amount = DealFacts {
            has_committed_amount: false,
            ..ok
        };
        assert_eq!(
            deal_move(D::TermSheet, D::Committed, no_amount),
            Verdict::Refused("deal.committed_required".into())
        );
        let no_kyc = DealFacts {
            kyc_valid: false,
            ..ok
        };
        assert_eq!(
            deal_move(D::TermSheet, D::Committed, no_kyc),
            Verdict::Refused("move.kyc_required".into())
        );
        // Moving between early stages needs neither.
        assert_eq!(
            deal_move(D::Prospect, D::DueDiligence, DealFacts::default()),
            Verdict::allowed()
        );
    }

    #[test]
    fn closing_declining_and_reopening() {
        let ok = DealFacts {
            has_committed_amount: true,
            kyc_valid: true,
        };
        assert_eq!(deal_move(D::Committed, D::Closed, ok), Verdict::allowed());
        assert!(matches!(
            deal_move(D::TermSheet, D::Closed, ok),
            Verdict::Refused(_)
        ));
        assert!(matches!(
            deal_move(D::Closed, D::Committed, ok),
            Verdict::Refused(_)
        ));
        assert!(matches!(
            deal_move(D::Interested, D::Declined, ok),
            Verdict::NeedsReason(_)
        ));
        assert!(matches!(
            deal_move(D::Declined, D::Contacted, ok),
            Verdict::NeedsReason(_)
        ));
    }
}
