//! The arithmetic of survey results (DESIGN §7): NPS, CSAT, CES, the spread of answers and
//! the response rate, as pure functions over the scores given. An empty set of answers has
//! no score (`None`), never a zero that would read as a bad result.
use super::model::QuestionKind;
use serde::{Deserialize, Serialize};

/// Net Promoter Score of 0–10 answers: promoters 9–10, passives 7–8, detractors 0–6.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Nps {
    pub promoters: u64,
    pub passives: u64,
    pub detractors: u64,
    /// Share of promoters minus share of detractors, in whole points from −100 to 100.
    pub score: i64,
}

pub fn nps(scores: &[i64]) -> Option<Nps> {
    if scores.is_empty() {
        return None;
    }
    let count = |range: std::ops::RangeInclusive<i64>| {
        scores.iter().filter(|s| range.contains(s)).count() as u64
    };
    let (promoters, passives, detractors) = (count(9..=10), count(7..=8), count(0..=6));
    let total = scores.len() as f64;
    let score = ((promoters as f64 - detractors as f64) * 100.0 / total).round() as i64;
    Some(Nps {
        promoters,
        passives,
        detractors,
        score,
    })
}

/// Customer satisfaction: the percentage of 1–5 answers that are 4 or 5.
pub fn csat(scores: &[i64]) -> Option<f64> {
    percent(scores.iter().filter(|s| **s >= 4).count(), scores.len())
}

/// Customer effort: the mean of 1–7 answers, where 7 is the most effort.
pub fn ces(scores: &[i64]) -> Option<f64> {
    mean(scores)
}

pub fn mean(scores: &[i64]) -> Option<f64> {
    (!scores.is_empty()).then(|| scores.iter().sum::<i64>() as f64 / scores.len() as f64)
}

/// `part` of `whole` in percent; nothing of nothing has no percentage.
pub fn percent(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

/// How many answers gave each value of the kind's scale, lowest first, including values
/// nobody chose (so a chart shows the whole scale). Empty for kinds without a scale.
pub fn distribution(kind: QuestionKind, scores: &[i64]) -> Vec<(i64, u64)> {
    let Some((low, high)) = kind.scale() else {
        return Vec::new();
    };
    (low..=high)
        .map(|v| (v, scores.iter().filter(|s| **s == v).count() as u64))
        .collect()
}

/// Whether an answer is poor enough to open a complaint: an NPS detractor (0–6), a CSAT of
/// 1–2 or a CES of 6–7. Ratings, choices and text never are.
pub fn is_poor(kind: QuestionKind, score: i64) -> bool {
    match kind {
        QuestionKind::Nps => score <= 6,
        QuestionKind::Csat => score <= 2,
        QuestionKind::Ces => score >= 6,
        _ => false,
    }
}

/// Whether a follow-up answer shows the customer recovered: a promoter or passive NPS
/// (7–10), a CSAT of 3–5 or a CES of 1–5; the first scored answer of the follow-up counts.
pub fn recovered(kind: QuestionKind, score: i64) -> Option<bool> {
    kind.is_scored().then(|| !is_poor(kind, score))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nps_counts_promoters_passives_and_detractors() {
        assert_eq!(nps(&[]), None);
        let all = nps(&[0, 6, 7, 8, 9, 10, 10, 10]).expect("a score");
        assert_eq!((all.promoters, all.passives, all.detractors), (4, 2, 2));
        assert_eq!(all.score, 25);
        assert_eq!(nps(&[10]).map(|n| n.score), Some(100));
        assert_eq!(nps(&[6]).map(|n| n.score), Some(-100));
        assert_eq!(nps(&[8]).map(|n| n.score), Some(0));
        // One in three: 33.3 points rounds to 33.
        assert_eq!(nps(&[9, 7, 7]).map(|n| n.score), Some(33));
        assert_eq!(nps(&[0, 0, 9]).map(|n| n.score), Some(-33));
    }

    #[test]
    fn csat_is_the_share_of_fours_and_fives() {
        assert_eq!(csat(&[]), None);
        assert_eq!(csat(&[5]), Some(100.0));
        assert_eq!(csat(&[3]), Some(0.0));
        assert_eq!(csat(&[1, 2, 4, 5]), Some(50.0));
    }

    #[test]
    fn ces_is_the_mean_effort() {
        assert_eq!(ces(&[]), None);
        assert_eq!(ces(&[7]), Some(7.0));
        assert_eq!(ces(&[1, 2, 6]), Some(3.0));
    }

    #[test]
    fn the_distribution_covers_the_whole_scale() {
        assert_eq!(
            distribution(QuestionKind::Csat, &[5, 5, 1]),
            vec![(1, 1), (2, 0), (3, 0), (4, 0), (5, 2)]
        );
        assert_eq!(distribution(QuestionKind::Nps, &[]).len(), 11);
        assert!(distribution(QuestionKind::Text, &[]).is_empty());
    }

    #[test]
    fn poor_answers_and_recovery() {
        assert!(is_poor(QuestionKind::Nps, 6) && !is_poor(QuestionKind::Nps, 7));
        assert!(is_poor(QuestionKind::Csat, 2) && !is_poor(QuestionKind::Csat, 3));
        assert!(is_poor(QuestionKind::Ces, 6) && !is_poor(QuestionKind::Ces, 5));
        assert!(!is_poor(QuestionKind::Rating, 1));
        assert_eq!(recovered(QuestionKind::Nps, 7), Some(true));
        assert_eq!(recovered(QuestionKind::Nps, 3), Some(false));
        assert_eq!(recovered(QuestionKind::Text, 3), None);
    }

    #[test]
    fn percentages_of_nothing_are_none() {
        assert_eq!(percent(0, 0), None);
        assert_eq!(percent(1, 4), Some(25.0));
    }
}
