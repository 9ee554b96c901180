//! Client writes and the detail view: authorise → validate → repository → audit, in one
//! transaction. Used by the form handlers (and later by the REST API).
use super::model::*;
use super::repo::{self, ClientRecord};
use crate::auth::backend::StaffUser;
use crate::core::error::{AppError, FieldError};
use crate::core::money::format_amount;
use crate::core::roles::Permission;
use crate::server::audit::{self, Actor, AuditEntry};
use crate::server::db::is_unique_violation;
use crate::server::errors::{db, internal};
use crate::server::state::AppState;
use crate::server::{format, idempotency};
use chrono::NaiveDate;

pub fn state() -> Result<AppState, AppError> {
    leptos::prelude::use_context::<AppState>().ok_or_else(|| internal("no app state in context"))
}

/// Today in the reporting time zone (KYC due dates are calendar dates there).
pub fn today(state: &AppState) -> NaiveDate {
    let tz: chrono_tz::Tz = format::DEFAULT_TIME_ZONE
        .parse()
        .unwrap_or(chrono_tz::Asia::Shanghai);
    state.clock.now().with_timezone(&tz).date_naive()
}

/// An rm edits the clients they own; CRM officers and admins edit all; others none.
pub fn can_edit(me: &StaffUser, owner_id: i64) -> bool {
    let role = me.0.role();
    role.can(Permission::EditAllRecords)
        || (role.can(Permission::EditOwnRecords) && owner_id == me.0.id)
}

/// How a client write ended.
#[derive(Debug)]
pub enum Outcome {
    Saved(i64),
    Invalid(Vec<FieldError>),
    /// Likely duplicates exist and the user has not confirmed.
    Duplicates(Vec<(i64, String)>),
    /// Someone else changed the record since the form was loaded.
    Conflict,
    Failed(AppError),
}

impl From<AppError> for Outcome {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Invalid(fields) => Outcome::Invalid(fields),
            other => Outcome::Failed(other),
        }
    }
}

/// The owner of a new or edited client: the user themselves unless they may choose.
pub async fn resolve_owner(
    state: &AppState,
    me: &StaffUser,
    wanted: Option<i64>,
    current: Option<i64>,
) -> Result<i64, AppError> {
    let fallback = current.unwrap_or(me.0.id);
    let owner = wanted.unwrap_or(fallback);
    if owner != fallback && !me.0.role().can(Permission::EditAllRecords) {
        return Err(AppError::Forbidden);
    }
    let active = crate::auth::repo::find_by_id(&state.db, owner)
        .await
        .map_err(db)?
        .is_some_and(|u| u.active);
    if active {
        Ok(owner)
    } else {
        Err(AppError::invalid(
            "owner_id",
            "admin.users.successor_inactive",
        ))
    }
}

fn unique_violation_field(error: &sqlx::Error) -> Option<AppError> {
    is_unique_violation(error)
        .then(|| AppError::invalid("registration_id", "client.registration_id_taken"))
}

pub async fn create(
    state: &AppState,
    me: &StaffUser,
    form: &ClientForm,
    ip: Option<String>,
) -> Outcome {
    if !me.0.role().can(Permission::EditOwnRecords) {
        return Outcome::Failed(AppError::Forbidden);
    }
    if !idempotency::is_well_formed(&form.form_key) {
        return Outcome::Failed(AppError::conflict("error.form_expired"));
    }
    let valid = match validate(form, true) {
        Ok(v) => v,
        Err(errors) => return Outcome::Invalid(errors),
    };
    match create_valid(state, me, form, &valid, ip).await {
        Ok(outcome) => outcome,
        Err(e) => e.into(),
    }
}

async fn create_valid(
    state: &AppState,
    me: &StaffUser,
    form: &ClientForm,
    valid: &ValidClient,
    ip: Option<String>,
) -> Result<Outcome, AppError> {
    let owner = resolve_owner(state, me, valid.owner_id, None).await?;
    // A retry of a form that already went through is answered before any duplicate check.
    let mut tx = state.db.begin().await.map_err(db)?;
    if let Some(id) = idempotency::replay::<i64>(&mut tx, me.0.id, "client.create", &form.form_key)
        .await
        .map_err(db)?
    {
        return Ok(Outcome::Saved(id));
    }
    drop(tx);
    if !form.confirm_duplicate {
        let duplicates = repo::likely_duplicates(&state.db, valid)
            .await
            .map_err(db)?;
        if !duplicates.is_empty() {
            return Ok(Outcome::Duplicates(duplicates));
        }
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(db)?;
    if let Some(id) = idempotency::replay::<i64>(&mut tx, me.0.id, "client.create", &form.form_key)
        .await
        .map_err(db)?
    {
        return Ok(Outcome::Saved(id));
    }
    let band = repo::band_of(&mut tx, valid, today(state))
        .await
        .map_err(db)?;
    let id = match repo::insert(&mut tx, valid, owner, band, now).await {
        Ok(id) => id,
        Err(e) => return Err(unique_violation_field(&e).unwrap_or_else(|| db(e))),
    };
    let after = repo::find_tx(&mut tx, id).await.map_err(db)?;
    let entry = AuditEntry::new(Actor::Staff(me.0.id), "client.create", "client", Some(id))
        .after(&after)
        .ip(ip);
    audit::record(&mut tx, now, entry).await.map_err(db)?;
    idempotency::remember(&mut tx, me.0.id, "client.create", &form.form_key, &id, now)
        .await
        .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(Outcome::Saved(id))
}

pub async fn update(
    state: &AppState,
    me: &StaffUser,
    id: i64,
    form: &ClientForm,
    ip: Option<String>,
) -> Outcome {
    let valid = match validate(form, false) {
        Ok(v) => v,
        Err(errors) => return Outcome::Invalid(errors),
    };
    let Ok(version) = form.version.trim().parse::<i64>() else {
        return Outcome::Failed(AppError::conflict("error.form_expired"));
    };
    let result: Result<Outcome, AppError> = async {
        let now = state.clock.now();
        let mut tx = state.db.begin().await.map_err(db)?;
        let before = repo::find_tx(&mut tx, id)
            .await
            .map_err(db)?
            .filter(|c| c.archived_at.is_none())
            .ok_or(AppError::NotFound)?;
        if !can_edit(me, before.owner_id) {
            return Err(AppError::Forbidden);
        }
        drop(tx);
        let owner = resolve_owner(state, me, valid.owner_id, Some(before.owner_id)).await?;
        let mut tx = state.db.begin().await.map_err(db)?;
        let band = repo::band_of(&mut tx, &valid, today(state))
            .await
            .map_err(db)?;
        let saved = match repo::update(&mut tx, id, version, &valid, owner, band, now).await {
            Ok(saved) => saved,
            Err(e) => return Err(unique_violation_field(&e).unwrap_or_else(|| db(e))),
        };
        if !saved {
            return Ok(Outcome::Conflict);
        }
        let after = repo::find_tx(&mut tx, id).await.map_err(db)?;
        let entry = AuditEntry::new(Actor::Staff(me.0.id), "client.update", "client", Some(id))
            .before(&before)
            .after(&after)
            .ip(ip);
        audit::record(&mut tx, now, entry).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(Outcome::Saved(id))
    }
    .await;
    result.unwrap_or_else(Outcome::from)
}

pub async fn archive(
    state: &AppState,
    me: &StaffUser,
    id: i64,
    version: i64,
    ip: Option<String>,
) -> Outcome {
    let result: Result<Outcome, AppError> = async {
        let now = state.clock.now();
        let mut tx = state.db.begin().await.map_err(db)?;
        let before = repo::find_tx(&mut tx, id)
            .await
            .map_err(db)?
            .ok_or(AppError::NotFound)?;
        if !can_edit(me, before.owner_id) {
            return Err(AppError::Forbidden);
        }
        if !repo::archive(&mut tx, id, version, now).await.map_err(db)? {
            return Ok(Outcome::Conflict);
        }
        let entry = AuditEntry::new(Actor::Staff(me.0.id), "client.archive", "client", Some(id))
            .before(&before)
            .ip(ip);
        audit::record(&mut tx, now, entry).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(Outcome::Saved(id))
    }
    .await;
    result.unwrap_or_else(Outcome::from)
}

/// Adds a contact to a client the user may edit; a primary contact replaces the old one.
pub async fn add_contact(
    state: &AppState,
    me: &StaffUser,
    client_id: i64,
    form: &ContactForm,
    ip: Option<String>,
) -> Result<i64, AppError> {
    if !idempotency::is_well_formed(&form.form_key) {
        return Err(AppError::conflict("error.form_expired"));
    }
    let contact = validate_contact(form).map_err(AppError::Invalid)?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(db)?;
    let client = repo::find_tx(&mut tx, client_id)
        .await
        .map_err(db)?
        .filter(|c| c.archived_at.is_none())
        .ok_or(AppError::NotFound)?;
    if !can_edit(me, client.owner_id) {
        return Err(AppError::Forbidden);
    }
    if let Some(id) = idempotency::replay::<i64>(&mut tx, me.0.id, "contact.create", &form.form_key)
        .await
        .map_err(db)?
    {
        return Ok(id);
    }
    let id = repo::insert_contact(&mut tx, client_id, &contact, form.is_primary, now)
        .await
        .map_err(db)?;
    let after = serde_json::json!({ "contact_id": id, "name": contact.name, "title": contact.title, "email": contact.email, "phone": contact.phone, "primary": form.is_primary });
    let entry = AuditEntry::new(
        Actor::Staff(me.0.id),
        "contact.create",
        "client",
        Some(client_id),
    )
    .after(&after)
    .ip(ip);
    audit::record(&mut tx, now, entry).await.map_err(db)?;
    idempotency::remember(&mut tx, me.0.id, "contact.create", &form.form_key, &id, now)
        .await
        .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(id)
}

/// The client and contact an edit of the contact applies to, if the user may change them.
async fn editable_contact(
    tx: &mut crate::server::db::Tx,
    me: &StaffUser,
    client_id: i64,
    contact_id: i64,
) -> Result<repo::ContactRow, AppError> {
    let client = repo::find_tx(tx, client_id)
        .await
        .map_err(db)?
        .filter(|c| c.archived_at.is_none())
        .ok_or(AppError::NotFound)?;
    if !can_edit(me, client.owner_id) {
        return Err(AppError::Forbidden);
    }
    repo::find_contact_tx(tx, client_id, contact_id)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)
}

fn contact_json(c: &NewContact, primary: bool) -> serde_json::Value {
    serde_json::json!({ "name": c.name, "title": c.title, "email": c.email, "phone": c.phone, "language": c.language, "primary": primary })
}

fn stored_contact(row: &repo::ContactRow) -> NewContact {
    NewContact {
        name: row.name.clone(),
        title: row.title.clone(),
        email: row.email.clone(),
        phone: row.phone.clone(),
        language: row.language.clone(),
    }
}

/// Saves an edited contact; a stale version is "someone else changed this record".
pub async fn edit_contact(
    state: &AppState,
    me: &StaffUser,
    client_id: i64,
    contact_id: i64,
    form: &ContactForm,
    ip: Option<String>,
) -> Result<i64, AppError> {
    let Ok(version) = form.version.trim().parse::<i64>() else {
        return Err(AppError::conflict("error.form_expired"));
    };
    let contact = validate_contact(form).map_err(AppError::Invalid)?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(db)?;
    let before = editable_contact(&mut tx, me, client_id, contact_id).await?;
    if !repo::update_contact(
        &mut tx,
        client_id,
        contact_id,
        version,
        &contact,
        form.is_primary,
        now,
    )
    .await
    .map_err(db)?
    {
        return Err(AppError::conflict("error.stale"));
    }
    let entry = AuditEntry::new(
        Actor::Staff(me.0.id),
        "contact.update",
        "client",
        Some(client_id),
    )
    .before(&contact_json(&stored_contact(&before), before.is_primary))
    .after(&contact_json(&contact, form.is_primary))
    .ip(ip);
    audit::record(&mut tx, now, entry).await.map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(contact_id)
}

/// Removes a contact from the client (kept for the interactions it took part in).
pub async fn remove_contact(
    state: &AppState,
    me: &StaffUser,
    client_id: i64,
    contact_id: i64,
    version: i64,
    ip: Option<String>,
) -> Result<i64, AppError> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(db)?;
    let before = editable_contact(&mut tx, me, client_id, contact_id).await?;
    if !repo::remove_contact(&mut tx, client_id, contact_id, version, now)
        .await
        .map_err(db)?
    {
        return Err(AppError::conflict("error.stale"));
    }
    let entry = AuditEntry::new(
        Actor::Staff(me.0.id),
        "contact.remove",
        "client",
        Some(client_id),
    )
    .before(&contact_json(&stored_contact(&before), before.is_primary))
    .ip(ip);
    audit::record(&mut tx, now, entry).await.map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(contact_id)
}

/// The contact edit page: the stored contact as a form (404 when gone, 403 when the user
/// may not change the client).
pub async fn contact_edit(
    state: &AppState,
    me: &StaffUser,
    client_id: i64,
    contact_id: i64,
) -> Result<ContactEdit, AppError> {
    let client = repo::find(&state.db, client_id)
        .await
        .map_err(db)?
        .filter(|c| c.archived_at.is_none())
        .ok_or(AppError::NotFound)?;
    if !can_edit(me, client.owner_id) {
        return Err(AppError::Forbidden);
    }
    let contact = repo::contacts_of(&state.db, client_id)
        .await
        .map_err(db)?
        .into_iter()
        .find(|c| c.id == contact_id)
        .ok_or(AppError::NotFound)?;
    Ok(ContactEdit {
        client_id,
        client_name: client.display_name,
        contact_id,
        form: ContactForm {
            version: contact.version.to_string(),
            contact_name: contact.name,
            contact_title: contact.title.unwrap_or_default(),
            contact_email: contact.email.unwrap_or_default(),
            contact_phone: contact.phone.unwrap_or_default(),
            contact_language: contact.language,
            is_primary: contact.is_primary,
            ..ContactForm::default()
        },
    })
}

/// The form as the stored record fills it.
pub fn form_of(record: &ClientRecord) -> ClientForm {
    let money = |v: Option<i64>| {
        v.map(|m| format!("{}.{:02}", m / 100, m % 100))
            .unwrap_or_default()
    };
    let list = |v: &Option<String>| -> Vec<String> {
        v.as_deref()
            .unwrap_or("")
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    ClientForm {
        version: record.version.to_string(),
        display_name: record.display_name.clone(),
        latin_name: record.latin_name.clone().unwrap_or_default(),
        registration_id: record.registration_id.clone().unwrap_or_default(),
        client_type: record.client_type.clone(),
        country: record.country.clone(),
        sector: record.sector.clone(),
        owner_id: record.owner_id.to_string(),
        is_investor: record.is_investor,
        is_borrower: record.is_borrower,
        notes: record.notes.clone().unwrap_or_default(),
        risk_appetite: record.risk_appetite.clone().unwrap_or_default(),
        ticket_min: money(record.ticket_min),
        ticket_max: money(record.ticket_max),
        ticket_currency: record
            .ticket_currency
            .clone()
            .unwrap_or_else(|| "CNY".into()),
        preferred_sectors: list(&record.preferred_sectors),
        preferred_regions: record.preferred_regions.clone().unwrap_or_default(),
        preferred_instruments: list(&record.preferred_instruments),
        max_tenor_months: record
            .max_tenor_months
            .map(|m| m.to_string())
            .unwrap_or_default(),
        esg_requirement: record.esg_requirement.clone().unwrap_or_default(),
        kyc_status: record.kyc_status.clone().unwrap_or_default(),
        kyc_review_due: record
            .kyc_review_due
            .map(|d| d.to_string())
            .unwrap_or_default(),
        qualified_investor: record.qualified_investor.unwrap_or(false),
        credit_rating: record.credit_rating.clone().unwrap_or_default(),
        financing_need: money(record.financing_need),
        financing_currency: record.financing_currency.clone().unwrap_or_default(),
        ..ClientForm::default()
    }
}

fn codes<T>(v: &Option<String>, parse: fn(&str) -> Option<T>) -> Vec<T> {
    v.as_deref()
        .unwrap_or("")
        .split(',')
        .filter_map(parse)
        .collect()
}

pub async fn detail(state: &AppState, me: &StaffUser, id: i64) -> Result<ClientDetail, AppError> {
    let record = repo::find(&state.db, id)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)?;
    let lang = me.0.lang();
    let tz = me.0.time_zone.clone();
    let today = today(state);
    let investor = record.is_investor.then(|| {
        let kyc_status = record.kyc_status.as_deref().and_then(KycStatus::parse);
        let currency = record.ticket_currency.clone().unwrap_or_default();
        InvestorView {
            risk: record
                .risk_appetite
                .as_deref()
                .and_then(RiskAppetite::parse),
            ticket: match (record.ticket_min, record.ticket_max) {
                (Some(min), Some(max)) => format!(
                    "{} – {}",
                    format_amount(min, &currency, lang),
                    format_amount(max, &currency, lang)
                ),
                _ => String::new(),
            },
            band: record.ticket_band.as_deref().and_then(TicketBand::parse),
            preferred_sectors: codes(&record.preferred_sectors, Sector::parse),
            preferred_regions: record.preferred_regions.clone().unwrap_or_default(),
            preferred_instruments: codes(&record.preferred_instruments, Instrument::parse),
            max_tenor_months: record.max_tenor_months,
            esg: record
                .esg_requirement
                .as_deref()
                .and_then(EsgRequirement::parse),
            kyc_status,
            kyc_review_due: record.kyc_review_due.map(|d| d.to_string()),
            kyc_flag: kyc_status.and_then(|s| kyc_flag(s, record.kyc_review_due, today)),
            qualified_investor: record.qualified_investor.unwrap_or(false),
        }
    });
    let borrower = record.is_borrower.then(|| BorrowerView {
        credit_rating: record.credit_rating.clone(),
        financing_need: record
            .financing_need
            .zip(record.financing_currency.clone())
            .map(|(v, c)| format_amount(v, &c, lang)),
    });
    let contacts = repo::contacts_of(&state.db, id)
        .await
        .map_err(db)?
        .into_iter()
        .map(|c| ContactView {
            id: c.id,
            name: c.name,
            title: c.title,
            email: c.email,
            phone: c.phone,
            language: c.language,
            is_primary: c.is_primary,
        })
        .collect();
    let history = repo::history(&state.db, "client", id, 50)
        .await
        .map_err(db)?
        .into_iter()
        .map(|h| HistoryView {
            at: format::date_time(h.at, &tz),
            action: h.action,
            actor: h.actor_name,
        })
        .collect();
    Ok(ClientDetail {
        id,
        display_name: record.display_name.clone(),
        latin_name: record.latin_name.clone(),
        registration_id: record.registration_id.clone(),
        client_type: ClientType::parse(&record.client_type),
        country: record.country.clone(),
        sector: Sector::parse(&record.sector),
        owner_name: record.owner_name.clone(),
        stage: LifecycleStage::parse(&record.lifecycle_stage)
            .unwrap_or(LifecycleStage::Acquisition),
        notes: record.notes.clone(),
        archived: record.archived_at.is_some(),
        version: record.version,
        investor,
        borrower,
        contacts,
        history,
        can_edit: record.archived_at.is_none() && can_edit(me, record.owner_id),
        can_log: me.0.role().can(Permission::EditOwnRecords),
        form: form_of(&record),
        contact_form_key: idempotency::new_key(),
    })
}
