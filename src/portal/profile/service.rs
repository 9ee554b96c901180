//! The investor profile: reading it, saving contact details and e-mail choices (the phone
//! and language also update the contact record the firm shares between departments), and
//! change requests, which are stored and e-mailed to the entity's relationship manager.
use super::model::{
    ChangeField, ChangeRequestForm, ChangeRequestView, EntityProfile, PortalProfile, ProfileForm,
    StaffChangeRequests, validate_change_request, validate_profile,
};
use super::repo::{self, EntityRow, NewRequest, RequestRow};
use crate::auth::backend::StaffUser;
use crate::clients::model::{NewContact, RiskAppetite};
use crate::clients::service::can_edit;
use crate::core::error::AppError;
use crate::core::i18n::{self, Lang};
use crate::core::money::format_amount;
use crate::portal::access::backend::Investor;
use crate::server::audit::{self, Actor, AuditEntry};
use crate::server::errors::db;
use crate::server::format;
use crate::server::idempotency;
use crate::server::mail::{self, Outgoing};
use crate::server::state::AppState;

fn ticket_of(e: &EntityRow, lang: Lang) -> Option<String> {
    match (e.ticket_min, e.ticket_max, e.ticket_currency.as_deref()) {
        (Some(min), Some(max), Some(currency)) => Some(format!(
            "{} – {}",
            format_amount(min, currency, lang),
            format_amount(max, currency, lang)
        )),
        _ => None,
    }
}

fn request_view(r: RequestRow, tz: &str) -> ChangeRequestView {
    ChangeRequestView {
        id: r.id,
        field: ChangeField::parse(&r.field),
        open: r.status == "open",
        created_at: format::date_time(r.created_at, tz),
        entity: r.entity,
        requester: r.requester,
        current: r.current_value,
        requested: r.requested_value,
        note: r.note,
    }
}

pub async fn profile(state: &AppState, me: &Investor) -> Result<PortalProfile, AppError> {
    let d = repo::details(&state.db, me.0.id)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)?;
    let lang = Lang::parse(&d.locale).unwrap_or_default();
    let entities = repo::entities(&state.db, me.0.id)
        .await
        .map_err(db)?
        .into_iter()
        .map(|e| EntityProfile {
            ticket: ticket_of(&e, lang),
            risk_appetite: e.risk_appetite.as_deref().and_then(RiskAppetite::parse),
            client_id: e.client_id,
            name: e.name,
        })
        .collect();
    let tz = &me.0.time_zone;
    let requests = repo::requests_of_user(&state.db, me.0.id)
        .await
        .map_err(db)?
        .into_iter()
        .map(|r| request_view(r, tz))
        .collect();
    Ok(PortalProfile {
        name: d.name,
        email: d.email,
        phone: d.phone,
        language: lang.code().to_string(),
        notify_updates: d.notify_updates,
        notify_answers: d.notify_answers,
        entities,
        requests,
        form_key: idempotency::new_key(),
    })
}

/// Saves the profile form: the user's language and e-mail choices, and the phone and
/// language of their contact record (through the clients' own contact update, so its
/// search terms stay right).
pub async fn save(
    state: &AppState,
    me: &Investor,
    form: &ProfileForm,
    ip: Option<String>,
) -> Result<i64, AppError> {
    let valid = validate_profile(form).map_err(AppError::Invalid)?;
    let d = repo::details(&state.db, me.0.id)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(db)?;
    let language = valid.language.code();
    repo::save_preferences(
        &mut tx,
        me.0.id,
        language,
        valid.notify_updates,
        valid.notify_answers,
        now,
    )
    .await
    .map_err(db)?;
    let contact = crate::clients::repo::find_contact_tx(&mut tx, d.client_id, d.contact_id)
        .await
        .map_err(db)?;
    if let Some(contact) = contact {
        let changed = NewContact {
            name: contact.name.clone(),
            title: contact.title.clone(),
            email: contact.email.clone(),
            phone: valid.phone.clone(),
            language: language.to_string(),
        };
        let primary = contact.is_primary;
        if !crate::clients::repo::update_contact(
            &mut tx,
            d.client_id,
            d.contact_id,
            contact.version,
            &changed,
            primary,
            now,
        )
        .await
        .map_err(db)?
        {
            return Err(AppError::conflict("error.stale"));
        }
    }
    let entry = AuditEntry::new(Actor::Portal(me.0.id), "portal.profile", "portal_user", Some(me.0.id))
        .before(&serde_json::json!({ "phone": d.phone, "locale": d.locale, "notify_updates": d.notify_updates, "notify_answers": d.notify_answers }))
        .after(&serde_json::json!({ "phone": valid.phone, "locale": language, "notify_updates": valid.notify_updates, "notify_answers": valid.notify_answers }))
        .ip(ip);
    audit::record(&mut tx, now, entry).await.map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(me.0.id)
}

/// What the record says now about `field` of entity `e`, as stored with a request.
fn current_value(e: &EntityRow, field: ChangeField, lang: Lang) -> String {
    match field {
        ChangeField::RiskAppetite => e.risk_appetite.clone().unwrap_or_default(),
        ChangeField::TicketSize => ticket_of(e, lang).unwrap_or_default(),
    }
}

/// Records a change request once per form key and e-mails the entity's relationship
/// manager (through the outbox, in the same transaction); the record itself is unchanged.
pub async fn request_change(
    state: &AppState,
    me: &Investor,
    form: &ChangeRequestForm,
    ip: Option<String>,
) -> Result<i64, AppError> {
    if !idempotency::is_well_formed(&form.form_key) {
        return Err(AppError::conflict("error.form_expired"));
    }
    let valid = validate_change_request(form).map_err(AppError::Invalid)?;
    let user = me.0.id;
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(db)?;
    if let Some(id) =
        idempotency::replay::<i64>(&mut tx, user, "portal.change_request", &form.form_key)
            .await
            .map_err(db)?
    {
        return Ok(id);
    }
    let entity = repo::entity(&mut tx, user, valid.client_id)
        .await
        .map_err(db)?
        .ok_or_else(|| AppError::invalid("client", "form.choose_one"))?;
    let lang = Lang::parse(&me.0.locale).unwrap_or_default();
    let current = current_value(&entity, valid.field, lang);
    let new = NewRequest {
        portal_user: user,
        client_id: entity.client_id,
        field: valid.field.as_str(),
        current: &current,
        requested: &valid.requested,
        note: valid.note.as_deref(),
    };
    let id = repo::insert_request(&mut tx, &new, now).await.map_err(db)?;
    if let Some(crate::clients::repo::ClientOwner {
        name: owner,
        email,
        locale,
        active: true,
        ..
    }) = crate::clients::repo::owner_of(&mut tx, entity.client_id)
        .await
        .map_err(db)?
    {
        let rm_lang = Lang::parse(&locale).unwrap_or_default();
        let base = state.config.public_url.as_str().trim_end_matches('/');
        let link = format!("{base}/clients/{}#change-requests", entity.client_id);
        let field = i18n::t(rm_lang, &valid.field.i18n_key());
        let values = [
            ("name", owner.as_str()),
            ("investor", me.0.name.as_str()),
            ("entity", entity.name.as_str()),
            ("field", field.as_str()),
            ("link", link.as_str()),
        ];
        let subject = i18n::t_with(rm_lang, "mail.change_request.subject", &values);
        let body = i18n::t_with(rm_lang, "mail.change_request.body", &values);
        let purpose = format!("portal.change_request:{id}");
        mail::queue(
            &mut tx,
            &Outgoing {
                purpose: &purpose,
                to_address: &email,
                to_name: Some(&owner),
                language: rm_lang.code(),
                subject: &subject,
                body: &body,
            },
            now,
        )
        .await
        .map_err(db)?;
    }
    let entry = AuditEntry::new(Actor::Portal(user), "portal.change_request", "client", Some(entity.client_id))
        .after(&serde_json::json!({ "request": id, "field": valid.field.as_str(), "current": current, "requested": valid.requested }))
        .ip(ip);
    audit::record(&mut tx, now, entry).await.map_err(db)?;
    idempotency::remember(
        &mut tx,
        user,
        "portal.change_request",
        &form.form_key,
        &id,
        now,
    )
    .await
    .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(id)
}

/// A client's change requests for its page; who may edit the client may mark them handled.
pub async fn of_client(
    state: &AppState,
    me: &StaffUser,
    client: i64,
) -> Result<StaffChangeRequests, AppError> {
    let record = crate::clients::repo::find(&state.db, client)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)?;
    let tz = &me.0.time_zone;
    let items = repo::requests_of_client(&state.db, client)
        .await
        .map_err(db)?
        .into_iter()
        .map(|r| request_view(r, tz))
        .collect();
    Ok(StaffChangeRequests {
        items,
        can_handle: can_edit(me, record.owner_id),
    })
}

/// Marks a request handled (after the manager changed the record, or decided not to).
pub async fn mark_handled(
    state: &AppState,
    me: &StaffUser,
    client: i64,
    id: i64,
    ip: Option<String>,
) -> Result<i64, AppError> {
    let record = crate::clients::repo::find(&state.db, client)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)?;
    if !can_edit(me, record.owner_id) {
        return Err(AppError::Forbidden);
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(db)?;
    if !repo::mark_handled(&mut tx, client, id, me.0.id, now)
        .await
        .map_err(db)?
    {
        // Handled already (a second click) or not this client's: nothing to do.
        return Ok(id);
    }
    let entry = AuditEntry::new(
        Actor::Staff(me.0.id),
        "portal.change_request.handled",
        "client",
        Some(client),
    )
    .after(&serde_json::json!({ "request": id }))
    .ip(ip);
    audit::record(&mut tx, now, entry).await.map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(id)
}
