//! Portal access: staff invite a client's contact and deactivate portal users; an investor
//! accepts an invitation, signs in, and resets a forgotten password. Each write is one
//! transaction with its audit row, and every e-mail goes through the outbox in it.
use super::backend::Investor;
use super::model::{
    INVITATION_DAYS, PortalAccess, PortalAccessView, PortalUserStatus, RESET_HOURS, TokenProblem,
    TokenPurpose, TokenState, token_problem,
};
use super::repo;
use crate::auth::backend::StaffUser;
use crate::auth::handlers::{SignInAccount, check_sign_in};
use crate::auth::model::{SignInError, check_new_password, normalise_email};
use crate::auth::password;
use crate::auth::repo::{Accounts, record_sign_in};
use crate::clients::service::can_edit;
use crate::core::error::AppError;
use crate::core::i18n::{self, Lang};
use crate::core::roles::Permission;
use crate::server::audit::{self, Actor, AuditEntry};
use crate::server::db::Tx;
use crate::server::errors::db;
use crate::server::format;
use crate::server::mail::{self, Outgoing};
use crate::server::state::AppState;
use crate::server::tokens;
use chrono::{DateTime, Duration, Utc};

/// The portal section of a client page, for `me`.
pub async fn access_of_client(
    state: &AppState,
    me: &StaffUser,
    client_id: i64,
) -> Result<PortalAccess, AppError> {
    let client = repo::client_for_access(&state.db, client_id)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)?;
    let users = repo::users_of_client(&state.db, client_id)
        .await
        .map_err(db)?
        .iter()
        .map(|u| PortalAccessView {
            id: u.id,
            name: u.name.clone(),
            email: u.email.clone(),
            status: PortalUserStatus::of(u.active, u.password_hash.is_some()),
            last_sign_in: u
                .last_sign_in_at
                .map(|at| format::date_time(at, &me.0.time_zone)),
            invited_at: format::date_time(u.created_at, &me.0.time_zone),
        })
        .collect();
    let invitable = repo::invitable_contacts(&state.db, client_id)
        .await
        .map_err(db)?;
    Ok(PortalAccess {
        users,
        invitable,
        can_manage: can_edit(me, client.owner_id) && !client.archived,
        is_investor: client.is_investor,
    })
}

/// What an invitation did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invited {
    /// A single-use link to choose a password went out.
    Link(i64),
    /// The person already uses the portal: the client was added to what they see, and they
    /// were told so (their password stays theirs; no link that could replace it).
    AccessAdded(i64),
}

/// Invites contact `contact_id` of client `client_id` to the portal: the contact's portal
/// user (made on first invitation, found by e-mail afterwards, so one person acting for a
/// fund and its SPV is one portal user) is linked to the client, and a fresh single-use
/// link is e-mailed in the contact's language. Someone who already signed up gets a notice
/// instead; inviting them again for a client they already act for is refused.
pub async fn invite(
    state: &AppState,
    me: &StaffUser,
    client_id: i64,
    contact_id: i64,
    ip: Option<String>,
) -> Result<Invited, AppError> {
    let client = repo::client_for_access(&state.db, client_id)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)?;
    if !can_edit(me, client.owner_id) {
        return Err(AppError::Forbidden);
    }
    if client.archived {
        return Err(AppError::conflict("portal.invite.archived"));
    }
    if !client.is_investor {
        return Err(AppError::invalid("contact", "portal.invite.not_investor"));
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(db)?;
    let contact = repo::contact_of_client(&mut tx, client_id, contact_id)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)?;
    let email = normalise_email(contact.email.as_deref().unwrap_or_default());
    if email.is_empty() {
        return Err(AppError::invalid("contact", "portal.invite.no_email"));
    }
    let lang = Lang::parse(&contact.language).unwrap_or_default();
    let (user_id, signed_up) = portal_user_for(&mut tx, me, &contact, &email, lang, now).await?;
    let newly_linked = repo::link_client(&mut tx, user_id, client_id, me.0.id, now)
        .await
        .map_err(db)?;
    if signed_up {
        if !newly_linked {
            return Err(AppError::conflict("portal.invite.already_active"));
        }
        let notice = AccessNotice {
            user_id,
            client_id,
            email: &email,
            name: &contact.name,
            client: &client.display_name,
            lang,
        };
        queue_access_notice(&mut tx, state, &notice, now).await?;
        let entry = AuditEntry::new(
            Actor::Staff(me.0.id),
            "portal.access_added",
            "portal_user",
            Some(user_id),
        )
        .after(&serde_json::json!({ "client_id": client_id, "contact_id": contact_id }))
        .ip(ip);
        audit::record(&mut tx, now, entry).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        return Ok(Invited::AccessAdded(user_id));
    }
    let link = issue_link(
        &mut tx,
        state,
        user_id,
        TokenPurpose::Invitation,
        now + Duration::days(INVITATION_DAYS),
        now,
    )
    .await?;
    let body = i18n::t_with(
        lang,
        "mail.portal_invitation.body",
        &[
            ("name", &contact.name),
            ("client", &client.display_name),
            ("link", &link.url),
            ("days", &INVITATION_DAYS.to_string()),
        ],
    );
    let subject = i18n::t(lang, "mail.portal_invitation.subject");
    queue_mail(
        &mut tx,
        &link,
        &email,
        &contact.name,
        lang,
        &subject,
        &body,
        now,
    )
    .await?;
    let entry = AuditEntry::new(
        Actor::Staff(me.0.id),
        "portal.invite",
        "portal_user",
        Some(user_id),
    )
    .after(&serde_json::json!({ "client_id": client_id, "contact_id": contact_id, "email": email }))
    .ip(ip);
    audit::record(&mut tx, now, entry).await.map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(Invited::Link(user_id))
}

/// Who is told that they now also act for a client.
struct AccessNotice<'a> {
    user_id: i64,
    client_id: i64,
    email: &'a str,
    name: &'a str,
    client: &'a str,
    lang: Lang,
}

/// Tells someone who already uses the portal that they now also see `client` there. A
/// pair is linked once, so the purpose keys one message.
async fn queue_access_notice(
    tx: &mut Tx,
    state: &AppState,
    notice: &AccessNotice<'_>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let base = state.config.public_url.as_str().trim_end_matches('/');
    let body = i18n::t_with(
        notice.lang,
        "mail.portal_access_added.body",
        &[
            ("name", notice.name),
            ("client", notice.client),
            ("link", &format!("{base}/portal")),
        ],
    );
    let subject = i18n::t(notice.lang, "mail.portal_access_added.subject");
    let purpose = format!("portal.access:{}:{}", notice.user_id, notice.client_id);
    mail::queue(
        tx,
        &Outgoing {
            purpose: &purpose,
            to_address: notice.email,
            to_name: Some(notice.name),
            language: notice.lang.code(),
            subject: &subject,
            body: &body,
        },
        now,
    )
    .await
    .map_err(db)?;
    Ok(())
}

/// The portal user of `email`, made for `contact` if there is none; a deactivated one is
/// opened again (and must choose a new password through this invitation). Also says
/// whether they had already signed up (active, with a password).
async fn portal_user_for(
    tx: &mut Tx,
    me: &StaffUser,
    contact: &repo::InvitedContact,
    email: &str,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<(i64, bool), AppError> {
    match repo::find_by_email_tx(tx, email).await.map_err(db)? {
        Some(existing) => {
            if !existing.active {
                repo::reopen(tx, existing.id, now).await.map_err(db)?;
            }
            Ok((
                existing.id,
                existing.active && existing.password_hash.is_some(),
            ))
        }
        None => repo::insert(
            tx,
            &repo::NewPortalUser {
                contact_id: contact.id,
                email,
                name: &contact.name,
                locale: lang.code(),
                invited_by: me.0.id,
            },
            now,
        )
        .await
        .map(|id| (id, false))
        .map_err(db),
    }
}

/// A link just issued: its URL (carrying the token, so only ever in the mail) and the
/// stored token's id, which keys its one message.
struct IssuedLink {
    url: String,
    token_id: i64,
    purpose: TokenPurpose,
}

async fn issue_link(
    tx: &mut Tx,
    state: &AppState,
    user_id: i64,
    purpose: TokenPurpose,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<IssuedLink, AppError> {
    let (text, hash) = tokens::mint();
    let token_id = repo::insert_token(tx, user_id, purpose, &hash, expires_at, now)
        .await
        .map_err(db)?;
    let path = match purpose {
        TokenPurpose::Invitation => "invite",
        TokenPurpose::Reset => "reset",
    };
    let base = state.config.public_url.as_str().trim_end_matches('/');
    Ok(IssuedLink {
        url: format!("{base}/portal/{path}/{text}"),
        token_id,
        purpose,
    })
}

#[allow(clippy::too_many_arguments)]
async fn queue_mail(
    tx: &mut Tx,
    link: &IssuedLink,
    email: &str,
    name: &str,
    lang: Lang,
    subject: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let purpose = format!("portal.{}:{}", link.purpose.as_str(), link.token_id);
    mail::queue(
        tx,
        &Outgoing {
            purpose: &purpose,
            to_address: email,
            to_name: Some(name),
            language: lang.code(),
            subject,
            body,
        },
        now,
    )
    .await
    .map_err(db)?;
    Ok(())
}

/// What a link opens at this moment (the page before the password form).
pub async fn token_state(
    state: &AppState,
    text: &str,
    purpose: TokenPurpose,
) -> Result<TokenState, AppError> {
    if !tokens::is_well_formed(text) {
        return Ok(TokenState::Refused(TokenProblem::Unknown));
    }
    let now = state.clock.now();
    let row = repo::find_token(&state.db, &tokens::hash_of(text), purpose)
        .await
        .map_err(db)?;
    Ok(match row {
        None => TokenState::Refused(TokenProblem::Unknown),
        Some(row) => {
            match token_problem(row.expires_at <= now, row.used_at.is_some(), row.active) {
                Some(problem) => TokenState::Refused(problem),
                None => TokenState::Valid {
                    email: row.email,
                    name: row.name,
                },
            }
        }
    })
}

/// Why a password could not be set through a link.
#[derive(Debug)]
pub enum LinkRefusal {
    Token(TokenProblem),
    Failed(AppError),
}

impl From<AppError> for LinkRefusal {
    fn from(e: AppError) -> Self {
        LinkRefusal::Failed(e)
    }
}

/// Sets the password through an invitation or reset link, using the link up; returns the
/// investor to sign in.
pub async fn set_password_by_link(
    state: &AppState,
    text: &str,
    purpose: TokenPurpose,
    new_password: &str,
    confirm: &str,
    ip: Option<String>,
) -> Result<Investor, LinkRefusal> {
    let email = match token_state(state, text, purpose).await? {
        TokenState::Refused(problem) => return Err(LinkRefusal::Token(problem)),
        TokenState::Valid { email, .. } => email,
    };
    if let Err(key) = check_new_password(new_password, &email) {
        return Err(AppError::invalid("new_password", key).into());
    }
    if new_password != confirm {
        return Err(AppError::invalid("confirm", "password.mismatch").into());
    }
    let hash = password::hash(new_password.to_string())
        .await
        .map_err(crate::server::errors::internal)?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(db)?;
    // The link is used up here, in the same transaction as the new password: a link raced
    // by two requests sets one password, and the loser is told the link was used.
    let Some(user_id) = repo::consume_token(&mut tx, &tokens::hash_of(text), purpose, now)
        .await
        .map_err(db)?
    else {
        return Err(LinkRefusal::Token(TokenProblem::Used));
    };
    repo::set_password(&mut tx, user_id, &hash.0, now)
        .await
        .map_err(db)?;
    record_sign_in(&mut tx, Accounts::Portal, user_id, now)
        .await
        .map_err(db)?;
    let action = match purpose {
        TokenPurpose::Invitation => "portal.invitation_accepted",
        TokenPurpose::Reset => "portal.password_reset",
    };
    let entry =
        AuditEntry::new(Actor::Portal(user_id), action, "portal_user", Some(user_id)).ip(ip);
    audit::record(&mut tx, now, entry).await.map_err(db)?;
    tx.commit().await.map_err(db)?;
    let row = repo::find_by_id(&state.db, user_id)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)?;
    Ok(Investor(row))
}

/// Sends a reset link to `email` if it belongs to an active portal user who has set a
/// password. The answer is the same either way, so the form tells no one who has an account.
pub async fn request_reset(
    state: &AppState,
    email: &str,
    ip: Option<String>,
) -> Result<(), AppError> {
    let email = normalise_email(email);
    let Some(user) = repo::find_by_email(&state.db, &email).await.map_err(db)? else {
        return Ok(());
    };
    if !user.active || user.password_hash.is_none() {
        return Ok(());
    }
    let now = state.clock.now();
    let lang = user.lang();
    let mut tx = state.db.begin().await.map_err(db)?;
    let link = issue_link(
        &mut tx,
        state,
        user.id,
        TokenPurpose::Reset,
        now + Duration::hours(RESET_HOURS),
        now,
    )
    .await?;
    let body = i18n::t_with(
        lang,
        "mail.portal_reset.body",
        &[
            ("name", &user.name),
            ("link", &link.url),
            ("hours", &RESET_HOURS.to_string()),
        ],
    );
    let subject = i18n::t(lang, "mail.portal_reset.subject");
    queue_mail(
        &mut tx, &link, &email, &user.name, lang, &subject, &body, now,
    )
    .await?;
    let entry = AuditEntry::new(
        Actor::Portal(user.id),
        "portal.reset_requested",
        "portal_user",
        Some(user.id),
    )
    .ip(ip);
    audit::record(&mut tx, now, entry).await.map_err(db)?;
    tx.commit().await.map_err(db)
}

/// Deactivates portal user `id`; their session ends with their next request. Allowed to
/// whoever may edit one of the clients they act for.
pub async fn deactivate(
    state: &AppState,
    me: &StaffUser,
    id: i64,
    ip: Option<String>,
) -> Result<(), AppError> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(db)?;
    let owners = repo::owners_of_linked_clients(&mut tx, id)
        .await
        .map_err(db)?;
    if owners.is_empty() {
        return Err(AppError::NotFound);
    }
    let may = me.0.role().can(Permission::EditAllRecords)
        || owners.iter().any(|owner| can_edit(me, *owner));
    if !may {
        return Err(AppError::Forbidden);
    }
    if repo::deactivate(&mut tx, id, now).await.map_err(db)? {
        let entry = AuditEntry::new(
            Actor::Staff(me.0.id),
            "portal.deactivate",
            "portal_user",
            Some(id),
        )
        .ip(ip);
        audit::record(&mut tx, now, entry).await.map_err(db)?;
    }
    tx.commit().await.map_err(db)
}

/// Checks a portal sign-in; an unknown, deactivated or not yet accepted account costs the
/// same argon2 time as a wrong password, so timing tells no one who has an account.
pub async fn verify_sign_in(
    state: &AppState,
    email: &str,
    given: String,
    ip: &str,
) -> Result<Investor, SignInError> {
    let row = repo::find_by_email(&state.db, email)
        .await
        .map_err(|error| {
            tracing::error!(%error, "portal sign-in: database error");
            SignInError::Unavailable
        })?;
    let Some(row) = row.filter(|r| r.active && r.password_hash.is_some()) else {
        password::verify(given, None).await;
        return Err(SignInError::Invalid);
    };
    let account = SignInAccount {
        accounts: Accounts::Portal,
        id: row.id,
        locked_until: row.locked_until,
        password_hash: row.password_hash.clone(),
        actor: Actor::Portal(row.id),
        entity: "portal_user",
        actions: ["portal.sign_in", "portal.locked", "portal.sign_in_failed"],
    };
    check_sign_in(state, account, given, ip).await?;
    Ok(Investor(row))
}
