//! Shared types and pure rules of clients: codes, the client form and its validation, views
//! of list rows and detail pages, list filters.
use crate::code_enum;
use crate::core::error::FieldError;
use crate::core::form::{code as form_code, months, optional};
use crate::core::money::{self, REPORTING_CURRENCY};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

code_enum!(
    /// What kind of organisation a client is.
    ClientType, "client_type", {
    Corporate => "corporate", Fund => "fund", Spv => "spv", Bank => "bank",
    Insurer => "insurer", PublicBody => "public_body", FamilyOffice => "family_office",
});

code_enum!(
    /// The customer lifecycle (DESIGN §2): every client is in exactly one stage.
    LifecycleStage, "stage", {
    Acquisition => "acquisition", Development => "development", Maturity => "maturity",
    Decline => "decline", Lost => "lost",
});

code_enum!(RiskAppetite, "risk", {
    Conservative => "conservative", Balanced => "balanced", Growth => "growth", Aggressive => "aggressive",
});

code_enum!(
    /// Ticket size in the reporting currency: < 5,000万, 5,000万–2亿, 2亿–10亿, > 10亿.
    TicketBand, "band", {
    Small => "small", Medium => "medium", Large => "large", Jumbo => "jumbo", Unpriced => "unpriced",
});

code_enum!(KycStatus, "kyc", {
    Pending => "pending", Valid => "valid", Expired => "expired", Rejected => "rejected",
});

code_enum!(EsgRequirement, "esg", { None => "none", Basic => "basic", Strict => "strict" });

code_enum!(Sector, "sector", {
    Energy => "energy", Renewables => "renewables", Transport => "transport", Water => "water",
    Telecom => "telecom", SocialInfrastructure => "social_infrastructure", RealEstate => "real_estate",
    Mining => "mining", Manufacturing => "manufacturing", FinancialServices => "financial_services",
});

code_enum!(Instrument, "instrument", {
    SeniorDebt => "senior_debt", Mezzanine => "mezzanine", Equity => "equity", Bond => "bond",
});

code_enum!(
    /// The list filter on how a client is classified.
    ClientKind, "kind", { Investor => "investor", Borrower => "borrower", Both => "both" });

impl ClientKind {
    /// The kind of a client from its two flags (a client is at least one of them).
    pub fn of(is_investor: bool, is_borrower: bool) -> Option<ClientKind> {
        match (is_investor, is_borrower) {
            (true, true) => Some(ClientKind::Both),
            (true, false) => Some(ClientKind::Investor),
            (false, true) => Some(ClientKind::Borrower),
            (false, false) => None,
        }
    }
}

code_enum!(ClientSort, "sort", { Name => "name", Updated => "updated" });

/// Ticket band of an amount already in the reporting currency (minor units).
pub fn ticket_band(reporting_minor: Option<i64>) -> TicketBand {
    const WAN: i64 = 10_000 * 100;
    match reporting_minor {
        None => TicketBand::Unpriced,
        Some(v) if v < 5_000 * WAN => TicketBand::Small,
        Some(v) if v < 20_000 * WAN => TicketBand::Medium,
        Some(v) if v < 10_0000 * WAN => TicketBand::Large,
        Some(_) => TicketBand::Jumbo,
    }
}

/// What needs attention about a client's KYC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KycFlag {
    Missing,
    Expired,
    Rejected,
    DueSoon,
}

impl KycFlag {
    pub fn i18n_key(self) -> &'static str {
        match self {
            KycFlag::Missing => "kyc_flag.missing",
            KycFlag::Expired => "kyc_flag.expired",
            KycFlag::Rejected => "kyc_flag.rejected",
            KycFlag::DueSoon => "kyc_flag.due_soon",
        }
    }
}

/// A valid KYC whose review date has passed counts as expired; one due within 30 days is
/// flagged early; a valid status without a review date is as good as missing.
pub fn kyc_flag(
    status: KycStatus,
    review_due: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<KycFlag> {
    match (status, review_due) {
        (KycStatus::Pending, _) | (KycStatus::Valid, None) => Some(KycFlag::Missing),
        (KycStatus::Rejected, _) => Some(KycFlag::Rejected),
        (KycStatus::Expired, _) => Some(KycFlag::Expired),
        (KycStatus::Valid, Some(due)) if due < today => Some(KycFlag::Expired),
        (KycStatus::Valid, Some(due)) if (due - today).num_days() <= 30 => Some(KycFlag::DueSoon),
        (KycStatus::Valid, Some(_)) => None,
    }
}

/// The client form exactly as typed, so a form with errors is shown again as it was.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ClientForm {
    pub form_key: String,
    pub version: String,
    pub display_name: String,
    pub latin_name: String,
    pub registration_id: String,
    pub client_type: String,
    pub country: String,
    pub sector: String,
    pub owner_id: String,
    pub is_investor: bool,
    pub is_borrower: bool,
    pub notes: String,
    pub risk_appetite: String,
    pub ticket_min: String,
    pub ticket_max: String,
    pub ticket_currency: String,
    pub preferred_sectors: Vec<String>,
    pub preferred_regions: String,
    pub preferred_instruments: Vec<String>,
    pub max_tenor_months: String,
    pub esg_requirement: String,
    pub kyc_status: String,
    pub kyc_review_due: String,
    pub qualified_investor: bool,
    pub credit_rating: String,
    pub financing_need: String,
    pub financing_currency: String,
    pub contact_name: String,
    pub contact_title: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub contact_language: String,
    /// The user saw the likely-duplicate warning and creates the client anyway.
    pub confirm_duplicate: bool,
}

impl ClientForm {
    /// Builds the form from posted `name=value` pairs (checkbox groups repeat their name).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> ClientForm {
        let mut f = ClientForm::default();
        for (name, value) in pairs {
            let v = value.to_string();
            match name {
                "form_key" => f.form_key = v,
                "version" => f.version = v,
                "display_name" => f.display_name = v,
                "latin_name" => f.latin_name = v,
                "registration_id" => f.registration_id = v,
                "client_type" => f.client_type = v,
                "country" => f.country = v,
                "sector" => f.sector = v,
                "owner_id" => f.owner_id = v,
                "is_investor" => f.is_investor = true,
                "is_borrower" => f.is_borrower = true,
                "notes" => f.notes = v,
                "risk_appetite" => f.risk_appetite = v,
                "ticket_min" => f.ticket_min = v,
                "ticket_max" => f.ticket_max = v,
                "ticket_currency" => f.ticket_currency = v,
                "preferred_sectors" => f.preferred_sectors.push(v),
                "preferred_regions" => f.preferred_regions = v,
                "preferred_instruments" => f.preferred_instruments.push(v),
                "max_tenor_months" => f.max_tenor_months = v,
                "esg_requirement" => f.esg_requirement = v,
                "kyc_status" => f.kyc_status = v,
                "kyc_review_due" => f.kyc_review_due = v,
                "qualified_investor" => f.qualified_investor = true,
                "credit_rating" => f.credit_rating = v,
                "financing_need" => f.financing_need = v,
                "financing_currency" => f.financing_currency = v,
                "contact_name" => f.contact_name = v,
                "contact_title" => f.contact_title = v,
                "contact_email" => f.contact_email = v,
                "contact_phone" => f.contact_phone = v,
                "contact_language" => f.contact_language = v,
                "confirm_duplicate" => f.confirm_duplicate = true,
                _ => {}
            }
        }
        f
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct InvestorProfile {
    pub risk_appetite: RiskAppetite,
    pub ticket_min: i64,
    pub ticket_max: i64,
    pub ticket_currency: String,
    pub preferred_sectors: Vec<Sector>,
    pub preferred_regions: Vec<String>,
    pub preferred_instruments: Vec<Instrument>,
    pub max_tenor_months: Option<i64>,
    pub esg_requirement: EsgRequirement,
    pub kyc_status: KycStatus,
    pub kyc_review_due: Option<NaiveDate>,
    pub qualified_investor: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct BorrowerProfile {
    pub credit_rating: Option<String>,
    pub financing_need: Option<(i64, String)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NewContact {
    pub name: String,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub language: String,
}

/// A client form that passed validation.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidClient {
    pub display_name: String,
    pub latin_name: Option<String>,
    pub registration_id: Option<String>,
    pub client_type: ClientType,
    pub country: String,
    pub sector: Sector,
    pub owner_id: Option<i64>,
    pub notes: Option<String>,
    pub investor: Option<InvestorProfile>,
    pub borrower: Option<BorrowerProfile>,
    pub first_contact: Option<NewContact>,
}

fn amount(value: &str, field: &str, errors: &mut Vec<FieldError>) -> Option<i64> {
    match money::parse_amount(value) {
        Ok(v) => Some(v),
        Err(key) => {
            errors.push(FieldError::new(field, key));
            None
        }
    }
}

fn currency(value: &str, field: &str, errors: &mut Vec<FieldError>) -> Option<String> {
    let code = value.trim().to_uppercase();
    if money::is_currency(&code) {
        Some(code)
    } else {
        errors.push(FieldError::new(field, "form.currency_invalid"));
        None
    }
}

/// A registration id: unified social credit code (18) or LEI (20), letters and digits.
pub fn normalise_registration_id(value: &str) -> Option<String> {
    let id: String = value
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_uppercase();
    (!id.is_empty()).then_some(id)
}

fn is_plausible_registration_id(id: &str) -> bool {
    (8..=20).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The user-facing rules of a client record. Field messages are translation keys.
pub fn validate(form: &ClientForm, creating: bool) -> Result<ValidClient, Vec<FieldError>> {
    let mut errors = Vec::new();
    let display_name = form.display_name.trim().to_string();
    if display_name.is_empty() || display_name.chars().count() > 200 {
        errors.push(FieldError::new("display_name", "form.name_required"));
    }
    let latin_name = optional(&form.latin_name);
    if latin_name.as_ref().is_some_and(|n| n.chars().count() > 200) {
        errors.push(FieldError::new("latin_name", "form.too_long"));
    }
    let registration_id = normalise_registration_id(&form.registration_id);
    if registration_id
        .as_deref()
        .is_some_and(|id| !is_plausible_registration_id(id))
    {
        errors.push(FieldError::new(
            "registration_id",
            "client.registration_id_invalid",
        ));
    }
    let client_type = form_code(
        &form.client_type,
        ClientType::parse,
        "client_type",
        &mut errors,
    );
    let country = form.country.trim().to_uppercase();
    if country.len() != 2 || !country.chars().all(|c| c.is_ascii_uppercase()) {
        errors.push(FieldError::new("country", "client.country_invalid"));
    }
    let sector = form_code(&form.sector, Sector::parse, "sector", &mut errors);
    let owner_id = match form.owner_id.trim() {
        "" => None,
        id => match id.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.push(FieldError::new("owner_id", "form.choose_one"));
                None
            }
        },
    };
    if !form.is_investor && !form.is_borrower {
        errors.push(FieldError::new("is_investor", "client.kind_required"));
    }
    let investor = form
        .is_investor
        .then(|| validate_investor(form, &mut errors))
        .flatten();
    let borrower = form
        .is_borrower
        .then(|| validate_borrower(form, &mut errors))
        .flatten();
    let first_contact = if creating {
        validate_first_contact(form, &mut errors)
    } else {
        None
    };
    match (client_type, sector) {
        (Some(client_type), Some(sector)) if errors.is_empty() => Ok(ValidClient {
            display_name,
            latin_name,
            registration_id,
            client_type,
            country,
            sector,
            owner_id,
            notes: optional(&form.notes),
            investor,
            borrower,
            first_contact,
        }),
        _ => Err(errors),
    }
}

fn validate_investor(form: &ClientForm, errors: &mut Vec<FieldError>) -> Option<InvestorProfile> {
    let risk = form_code(
        &form.risk_appetite,
        RiskAppetite::parse,
        "risk_appetite",
        errors,
    );
    let min = amount(&form.ticket_min, "ticket_min", errors);
    let max = amount(&form.ticket_max, "ticket_max", errors);
    if let (Some(min), Some(max)) = (min, max)
        && min > max
    {
        errors.push(FieldError::new("ticket_max", "client.ticket_range"));
    }
    let ticket_currency = currency(&form.ticket_currency, "ticket_currency", errors);
    let mut sectors = Vec::new();
    for code in &form.preferred_sectors {
        match Sector::parse(code) {
            Some(s) => sectors.push(s),
            None => errors.push(FieldError::new("preferred_sectors", "form.choose_one")),
        }
    }
    let mut instruments = Vec::new();
    for code in &form.preferred_instruments {
        match Instrument::parse(code) {
            Some(i) => instruments.push(i),
            None => errors.push(FieldError::new("preferred_instruments", "form.choose_one")),
        }
    }
    let regions: Vec<String> = form
        .preferred_regions
        .split([',', '，', ';'])
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect();
    let max_tenor_months = months(&form.max_tenor_months, "max_tenor_months", errors);
    let esg = form_code(
        &form.esg_requirement,
        EsgRequirement::parse,
        "esg_requirement",
        errors,
    );
    let kyc = form_code(&form.kyc_status, KycStatus::parse, "kyc_status", errors);
    let kyc_review_due = match form.kyc_review_due.trim() {
        "" => None,
        d => match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
            Ok(date) => Some(date),
            Err(_) => {
                errors.push(FieldError::new("kyc_review_due", "form.date_invalid"));
                None
            }
        },
    };
    Some(InvestorProfile {
        risk_appetite: risk?,
        ticket_min: min?,
        ticket_max: max?,
        ticket_currency: ticket_currency?,
        preferred_sectors: sectors,
        preferred_regions: regions,
        preferred_instruments: instruments,
        max_tenor_months,
        esg_requirement: esg?,
        kyc_status: kyc?,
        kyc_review_due,
        qualified_investor: form.qualified_investor,
    })
}

fn validate_borrower(form: &ClientForm, errors: &mut Vec<FieldError>) -> Option<BorrowerProfile> {
    let financing_need = match form.financing_need.trim() {
        "" => None,
        need => {
            let value = amount(need, "financing_need", errors);
            let code = currency(&form.financing_currency, "financing_currency", errors);
            value.zip(code)
        }
    };
    Some(BorrowerProfile {
        credit_rating: optional(&form.credit_rating),
        financing_need,
    })
}

fn validate_first_contact(form: &ClientForm, errors: &mut Vec<FieldError>) -> Option<NewContact> {
    let contact = ContactForm {
        form_key: String::new(),
        contact_name: form.contact_name.clone(),
        contact_title: form.contact_title.clone(),
        contact_email: form.contact_email.clone(),
        contact_phone: form.contact_phone.clone(),
        contact_language: form.contact_language.clone(),
        is_primary: true,
        ..ContactForm::default()
    };
    let nothing_given = [
        &contact.contact_name,
        &contact.contact_email,
        &contact.contact_phone,
    ]
    .iter()
    .all(|v| v.trim().is_empty());
    if nothing_given {
        return None;
    }
    match validate_contact(&contact) {
        Ok(valid) => Some(valid),
        Err(more) => {
            errors.extend(more);
            None
        }
    }
}

/// A contact form as typed (adding a contact to an existing client).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ContactForm {
    pub form_key: String,
    /// The contact's version when an existing contact is edited.
    pub version: String,
    pub contact_name: String,
    pub contact_title: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub contact_language: String,
    pub is_primary: bool,
}

impl ContactForm {
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> ContactForm {
        let mut f = ContactForm::default();
        for (name, value) in pairs {
            let v = value.to_string();
            match name {
                "form_key" => f.form_key = v,
                "version" => f.version = v,
                "contact_name" => f.contact_name = v,
                "contact_title" => f.contact_title = v,
                "contact_email" => f.contact_email = v,
                "contact_phone" => f.contact_phone = v,
                "contact_language" => f.contact_language = v,
                "is_primary" => f.is_primary = true,
                _ => {}
            }
        }
        f
    }
}

/// A phone number has six or more digits (spaces, dashes and a country code may come
/// with them).
pub fn is_plausible_phone(phone: &str) -> bool {
    phone.chars().filter(char::is_ascii_digit).count() >= 6
}

/// The rules of a contact: a name; a plausible e-mail and a phone with six or more digits
/// when given; Chinese unless English is chosen.
pub fn validate_contact(form: &ContactForm) -> Result<NewContact, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = optional(&form.contact_name);
    if name.as_ref().is_none_or(|n| n.chars().count() > 100) {
        errors.push(FieldError::new("contact_name", "form.name_required"));
    }
    let email = optional(&form.contact_email).map(|e| e.to_lowercase());
    if email
        .as_deref()
        .is_some_and(|e| !crate::auth::model::is_plausible_email(e))
    {
        errors.push(FieldError::new("contact_email", "form.email_invalid"));
    }
    let phone = optional(&form.contact_phone);
    if phone.as_deref().is_some_and(|p| !is_plausible_phone(p)) {
        errors.push(FieldError::new("contact_phone", "client.phone_invalid"));
    }
    let language = if form.contact_language == "en" {
        "en"
    } else {
        "zh"
    };
    match name {
        Some(name) if errors.is_empty() => Ok(NewContact {
            name,
            title: optional(&form.contact_title),
            email,
            phone,
            language: language.to_string(),
        }),
        _ => Err(errors),
    }
}

/// A posted contact form shown again with its messages.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SubmittedContact {
    pub form: ContactForm,
    pub errors: Vec<FieldError>,
    pub error_key: Option<String>,
}

/// The page that edits or removes one contact.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContactEdit {
    pub client_id: i64,
    pub client_name: String,
    pub contact_id: i64,
    /// The contact as stored, as the form shows it.
    pub form: ContactForm,
}

/// A client as the list shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClientRow {
    pub id: i64,
    pub display_name: String,
    pub latin_name: Option<String>,
    pub is_investor: bool,
    pub is_borrower: bool,
    pub stage: LifecycleStage,
    pub owner_name: String,
    pub country: String,
    pub sector: Option<Sector>,
    pub risk: Option<RiskAppetite>,
    pub band: Option<TicketBand>,
    pub kyc_flag: Option<KycFlag>,
}

/// One page of clients; `next` is the opaque cursor of the following page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClientPage {
    pub rows: Vec<ClientRow>,
    pub next: Option<String>,
    /// How many clients match the filters, across all pages.
    pub total: i64,
}

/// The list filters, as they appear in the URL.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ClientFilter {
    pub q: String,
    pub kind: Option<ClientKind>,
    pub stage: Option<LifecycleStage>,
    pub owner: Option<i64>,
    pub department: Option<crate::core::roles::Department>,
    pub country: String,
    pub sector: Option<Sector>,
    pub risk: Option<RiskAppetite>,
    pub band: Option<TicketBand>,
    pub kyc: Option<KycStatus>,
    pub sort: Option<ClientSort>,
    pub after: Option<String>,
}

impl ClientFilter {
    /// Whether the filter names nothing but (perhaps) an owner: the boards' everyone and
    /// "my clients" views, whose figures come from totals kept per (stage, owner).
    pub fn only_owner(&self) -> bool {
        self.only_search_stage_and_owner() && self.q.trim().is_empty() && self.stage.is_none()
    }

    /// Whether the filter names nothing but (perhaps) a search, a stage and an owner: the
    /// columns of the clients table a searched board's index holds (`lifecycle::repo`).
    pub fn only_search_stage_and_owner(&self) -> bool {
        let ClientFilter {
            q: _,
            kind,
            stage: _,
            owner: _,
            department,
            country,
            sector,
            risk,
            band,
            kyc,
            sort: _,
            after: _,
        } = self;
        kind.is_none()
            && department.is_none()
            && country.is_empty()
            && sector.is_none()
            && risk.is_none()
            && band.is_none()
            && kyc.is_none()
    }

    /// Reads the filters from query parameters; unknown values are ignored, not errors.
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> ClientFilter {
        let code = |name: &str| get(name).filter(|v| !v.is_empty());
        ClientFilter {
            q: get("q").unwrap_or_default().chars().take(100).collect(),
            kind: code("kind").and_then(|v| ClientKind::parse(&v)),
            stage: code("stage").and_then(|v| LifecycleStage::parse(&v)),
            owner: code("owner").and_then(|v| v.parse().ok()),
            department: code("department").and_then(|v| crate::core::roles::Department::parse(&v)),
            country: code("country")
                .map(|c| c.trim().to_uppercase())
                .filter(|c| c.len() == 2)
                .unwrap_or_default(),
            sector: code("sector").and_then(|v| Sector::parse(&v)),
            risk: code("risk").and_then(|v| RiskAppetite::parse(&v)),
            band: code("band").and_then(|v| TicketBand::parse(&v)),
            kyc: code("kyc").and_then(|v| KycStatus::parse(&v)),
            sort: code("sort").and_then(|v| ClientSort::parse(&v)),
            after: code("after"),
        }
    }

    /// The query string of these filters (without the page cursor unless `after` is given).
    pub fn to_query(&self, after: Option<&str>) -> String {
        crate::core::url::query(&[
            ("q", self.q.clone()),
            (
                "kind",
                self.kind
                    .map(|v| v.as_str().to_string())
                    .unwrap_or_default(),
            ),
            (
                "stage",
                self.stage
                    .map(|v| v.as_str().to_string())
                    .unwrap_or_default(),
            ),
            (
                "owner",
                self.owner.map(|v| v.to_string()).unwrap_or_default(),
            ),
            (
                "department",
                self.department
                    .map(|v| v.as_str().to_string())
                    .unwrap_or_default(),
            ),
            ("country", self.country.clone()),
            (
                "sector",
                self.sector
                    .map(|v| v.as_str().to_string())
                    .unwrap_or_default(),
            ),
            (
                "risk",
                self.risk
                    .map(|v| v.as_str().to_string())
                    .unwrap_or_default(),
            ),
            (
                "band",
                self.band
                    .map(|v| v.as_str().to_string())
                    .unwrap_or_default(),
            ),
            (
                "kyc",
                self.kyc.map(|v| v.as_str().to_string()).unwrap_or_default(),
            ),
            (
                "sort",
                self.sort
                    .map(|v| v.as_str().to_string())
                    .unwrap_or_default(),
            ),
            ("after", after.unwrap_or_default().to_string()),
        ])
    }
}

/// Converts a ticket into the reporting currency when a rate is known.
pub fn reporting_amount(minor: i64, currency: &str, rate_micros: Option<i64>) -> Option<i64> {
    if currency == REPORTING_CURRENCY {
        Some(minor)
    } else {
        rate_micros.map(|rate| money::convert(minor, rate))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn investor_form() -> ClientForm {
        ClientForm {
            display_name: "长江基础设施投资基金".into(),
            latin_name: "Yangtze Infrastructure Fund".into(),
            registration_id: "9131 0000-MA1K4XYZ2B".into(),
            client_type: "fund".into(),
            country: "cn".into(),
            sector: "financial_services".into(),
            is_investor: true,
            risk_appetite: "balanced".into(),
            ticket_min: "5000万".into(),
            ticket_max: "2亿".into(),
            ticket_currency: "CNY".into(),
            preferred_sectors: vec!["renewables".into(), "water".into()],
            preferred_regions: "华东, ASEAN".into(),
            esg_requirement: "basic".into(),
            kyc_status: "valid".into(),
            kyc_review_due: "2027-06-30".into(),
            contact_name: "王伟".into(),
            contact_email: "Wang.Wei@Yangtze.example".into(),
            contact_phone: "+86 138 0013 8888".into(),
            ..ClientForm::default()
        }
    }

    #[test]
    fn a_complete_investor_is_valid_and_normalised() {
        let valid = validate(&investor_form(), true).expect("valid");
        assert_eq!(valid.registration_id.as_deref(), Some("91310000MA1K4XYZ2B"));
        assert_eq!(valid.country, "CN");
        let investor = valid.investor.expect("investor profile");
        assert_eq!(investor.ticket_min, 5_000_000_000);
        assert_eq!(
            investor.preferred_regions,
            vec!["华东".to_string(), "ASEAN".to_string()]
        );
        assert_eq!(
            valid.first_contact.and_then(|c| c.email).as_deref(),
            Some("wang.wei@yangtze.example")
        );
        assert!(valid.borrower.is_none());
    }

    #[test]
    fn every_problem_is_reported_at_its_field() {
        let form = ClientForm {
            ticket_min: "3亿".into(),
            ticket_max: "1亿".into(),
            kyc_review_due: "30/06/2027".into(),
            country: "China".into(),
            contact_email: "not-an-email".into(),
            ..investor_form()
        };
        let errors = validate(&form, true).expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        for field in ["ticket_max", "kyc_review_due", "country", "contact_email"] {
            assert!(fields.contains(&field), "{field} missing in {fields:?}");
        }
    }

    #[test]
    fn a_client_is_an_investor_or_a_borrower_or_both() {
        let neither = ClientForm {
            is_investor: false,
            ..investor_form()
        };
        let errors = validate(&neither, true).expect_err("neither");
        assert!(errors.iter().any(|e| e.field == "is_investor"));
        let both = ClientForm {
            is_borrower: true,
            credit_rating: "AA".into(),
            ..investor_form()
        };
        let valid = validate(&both, true).expect("both");
        assert!(valid.investor.is_some() && valid.borrower.is_some());
    }

    #[test]
    fn kyc_flags() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).expect("date");
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(
            kyc_flag(KycStatus::Valid, day(2026, 11, 28), today),
            Some(KycFlag::Expired)
        );
        assert_eq!(
            kyc_flag(KycStatus::Valid, day(2026, 12, 20), today),
            Some(KycFlag::DueSoon)
        );
        assert_eq!(kyc_flag(KycStatus::Valid, day(2027, 6, 30), today), None);
        assert_eq!(
            kyc_flag(KycStatus::Valid, None, today),
            Some(KycFlag::Missing)
        );
        assert_eq!(
            kyc_flag(KycStatus::Pending, day(2027, 6, 30), today),
            Some(KycFlag::Missing)
        );
    }

    #[test]
    fn ticket_bands_follow_the_design() {
        let wan = 10_000 * 100;
        assert_eq!(ticket_band(Some(4_999 * wan)), TicketBand::Small);
        assert_eq!(ticket_band(Some(5_000 * wan)), TicketBand::Medium);
        assert_eq!(ticket_band(Some(20_000 * wan)), TicketBand::Large);
        assert_eq!(ticket_band(Some(10_0000 * wan)), TicketBand::Jumbo);
        assert_eq!(ticket_band(None), TicketBand::Unpriced);
        assert_eq!(
            reporting_amount(10_000, "USD", Some(7_100_000)),
            Some(71_000)
        );
        assert_eq!(reporting_amount(10_000, "USD", None), None);
    }

    #[test]
    fn filters_round_trip_through_the_url() {
        let filter = ClientFilter {
            q: "王伟".into(),
            kind: Some(ClientKind::Both),
            risk: Some(RiskAppetite::Growth),
            ..ClientFilter::default()
        };
        let query = filter.to_query(None);
        let pairs: Vec<(String, String)> =
            url::form_urlencoded::parse(query.trim_start_matches('?').as_bytes())
                .into_owned()
                .collect();
        let back = ClientFilter::from_query(|k| {
            pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
        });
        assert_eq!(back, filter);
        let junk = ClientFilter::from_query(|k| (k == "stage").then(|| "nonsense".to_string()));
        assert_eq!(junk, ClientFilter::default());
    }
}

/// A contact as pages show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContactView {
    pub id: i64,
    pub name: String,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub language: String,
    pub is_primary: bool,
}

/// A line of the change history, with the time formatted for the viewer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryView {
    pub at: String,
    pub action: String,
    pub actor: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvestorView {
    pub risk: Option<RiskAppetite>,
    pub ticket: String,
    pub band: Option<TicketBand>,
    pub preferred_sectors: Vec<Sector>,
    pub preferred_regions: String,
    pub preferred_instruments: Vec<Instrument>,
    pub max_tenor_months: Option<i64>,
    pub esg: Option<EsgRequirement>,
    pub kyc_status: Option<KycStatus>,
    pub kyc_review_due: Option<String>,
    pub kyc_flag: Option<KycFlag>,
    pub qualified_investor: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BorrowerView {
    pub credit_rating: Option<String>,
    pub financing_need: Option<String>,
}

/// Everything the client page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClientDetail {
    pub id: i64,
    pub display_name: String,
    pub latin_name: Option<String>,
    pub registration_id: Option<String>,
    pub client_type: Option<ClientType>,
    pub country: String,
    pub sector: Option<Sector>,
    pub owner_name: String,
    pub stage: LifecycleStage,
    pub notes: Option<String>,
    pub archived: bool,
    pub version: i64,
    pub investor: Option<InvestorView>,
    pub borrower: Option<BorrowerView>,
    pub contacts: Vec<ContactView>,
    pub history: Vec<HistoryView>,
    pub can_edit: bool,
    /// Whether the viewer may log interactions (anyone who may change records).
    pub can_log: bool,
    /// The record as the edit form shows it.
    pub form: ClientForm,
    /// A fresh idempotency key for the add-contact form.
    pub contact_form_key: String,
}

/// What the client form needs besides the record: owners to choose from and a fresh key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClientFormOptions {
    pub owners: Vec<(i64, String)>,
    pub form_key: String,
    pub my_id: i64,
    pub can_choose_owner: bool,
}

/// A posted client form shown again: with its field errors, the likely duplicates the user
/// has to look at first, or the note that someone else changed the record.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SubmittedClient {
    pub form: ClientForm,
    pub errors: Vec<FieldError>,
    pub duplicates: Vec<(i64, String)>,
    pub conflict: bool,
    pub error_key: Option<String>,
}
