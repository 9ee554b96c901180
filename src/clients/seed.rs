//! Demo clients for `seed-demo`: deterministic for a seed, with Chinese and English names,
//! investors of every risk appetite and ticket band (some with expired KYC), borrowers,
//! clients that are both, and their contacts.
use super::model::*;
use super::repo;
use crate::server::audit::{self, Actor, AuditEntry};
use crate::server::db::Db;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

/// (Chinese, Latin) name parts; the Latin names follow the Chinese ones.
const PLACES: &[(&str, &str)] = &[
    ("长江", "Yangtze"),
    ("珠江", "Pearl River"),
    ("黄河", "Yellow River"),
    ("滨海", "Binhai"),
    ("华东", "East China"),
    ("华南", "South China"),
    ("西部", "Western"),
    ("中原", "Central Plains"),
    ("海峡", "Straits"),
    ("湾区", "Bay Area"),
    ("天府", "Tianfu"),
    ("江南", "Jiangnan"),
    ("齐鲁", "Qilu"),
    ("太湖", "Taihu"),
    ("洞庭", "Dongting"),
    ("昆仑", "Kunlun"),
];
const CORES: &[(&str, &str)] = &[
    ("基础设施", "Infrastructure"),
    ("新能源", "New Energy"),
    ("绿色发展", "Green Development"),
    ("交通", "Transport"),
    ("水务", "Water"),
    ("城市发展", "Urban Development"),
    ("产业", "Industrial"),
    ("能源", "Energy"),
    ("港口", "Ports"),
    ("数字基建", "Digital Infrastructure"),
    ("环保", "Environmental"),
];
const INVESTOR_FORMS: &[(&str, &str, ClientType)] = &[
    ("投资基金", "Fund", ClientType::Fund),
    (
        "资本管理有限公司",
        "Capital Management",
        ClientType::Corporate,
    ),
    (
        "保险资产管理有限公司",
        "Insurance Asset Management",
        ClientType::Insurer,
    ),
    ("银行股份有限公司", "Bank", ClientType::Bank),
    ("家族办公室", "Family Office", ClientType::FamilyOffice),
    (
        "产业投资基金（有限合伙）",
        "Industrial Investment Fund LP",
        ClientType::Spv,
    ),
];
const BORROWER_FORMS: &[(&str, &str, ClientType)] = &[
    (
        "建设集团有限公司",
        "Construction Group",
        ClientType::Corporate,
    ),
    ("发展有限公司", "Development Co.", ClientType::Corporate),
    ("项目有限公司", "Project Co.", ClientType::Spv),
    (
        "城市投资集团",
        "Urban Investment Group",
        ClientType::PublicBody,
    ),
];
const FOREIGN: &[(&str, &str, &str)] = &[
    ("Harbourview Infrastructure Partners", "SG", "USD"),
    ("Northbridge Pension Trust", "GB", "GBP"),
    ("Lion City Sustainable Fund", "SG", "SGD"),
    ("Victoria Harbour Capital", "HK", "HKD"),
    ("Rhine Valley Energy Investors", "DE", "EUR"),
    ("Pacific Crest Insurance", "JP", "JPY"),
];
const SURNAMES: &[(&str, &str)] = &[
    ("王", "wang"),
    ("李", "li"),
    ("张", "zhang"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
    ("赵", "zhao"),
    ("黄", "huang"),
    ("周", "zhou"),
    ("吴", "wu"),
    ("徐", "xu"),
    ("孙", "sun"),
    ("胡", "hu"),
    ("朱", "zhu"),
    ("高", "gao"),
    ("林", "lin"),
    ("何", "he"),
    ("郭", "guo"),
];
const GIVEN: &[(&str, &str)] = &[
    ("伟", "wei"),
    ("芳", "fang"),
    ("娜", "na"),
    ("敏", "min"),
    ("静", "jing"),
    ("强", "qiang"),
    ("磊", "lei"),
    ("军", "jun"),
    ("洋", "yang"),
    ("杰", "jie"),
    ("涛", "tao"),
    ("明", "ming"),
    ("晓东", "xiaodong"),
    ("秀英", "xiuying"),
    ("志强", "zhiqiang"),
    ("海燕", "haiyan"),
];
const ENGLISH_PEOPLE: &[&str] = &[
    "Olivia Grant",
    "Daniel Hughes",
    "Priya Raman",
    "Marcus Lee",
    "Sophie Müller",
    "Kenji Sato",
];
const TITLES: &[&str] = &[
    "投资总监",
    "董事总经理",
    "财务总监",
    "风控负责人",
    "投资经理",
    "总经理助理",
];
const SECTORS_FOR_BORROWERS: &[Sector] = &[
    Sector::Energy,
    Sector::Renewables,
    Sector::Transport,
    Sector::Water,
    Sector::Telecom,
    Sector::SocialInfrastructure,
    Sector::RealEstate,
    Sector::Mining,
    Sector::Manufacturing,
];
/// Reporting-currency value of one unit, × 1,000,000 (demo rates).
pub const DEMO_FX: &[(&str, i64)] = &[
    ("USD", 7_120_000),
    ("EUR", 7_710_000),
    ("HKD", 912_000),
    ("SGD", 5_300_000),
    ("GBP", 9_020_000),
    ("JPY", 47_500),
];

/// Ticket ranges in 万 of the reporting currency, one per band, so every band appears.
const TICKETS_WAN: &[(i64, i64)] = &[
    (1_000, 4_000),
    (5_000, 15_000),
    (20_000, 80_000),
    (100_000, 300_000),
];

struct Generated {
    form: ClientForm,
    stage: LifecycleStage,
    extra_contacts: Vec<NewContact>,
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

fn person(rng: &mut StdRng, domain: &str, n: usize) -> NewContact {
    let (sur, sur_py) = pick(rng, SURNAMES);
    let (given, given_py) = pick(rng, GIVEN);
    let phone = format!(
        "+86 1{}{} {:04} {:04}",
        rng.gen_range(3..=9),
        rng.gen_range(0..=9),
        rng.gen_range(0..10_000),
        rng.gen_range(0..10_000)
    );
    NewContact {
        name: format!("{sur}{given}"),
        title: Some(pick(rng, TITLES).to_string()),
        email: Some(format!("{given_py}.{sur_py}{n}@{domain}")),
        phone: Some(phone),
        language: "zh".into(),
    }
}

fn kyc(rng: &mut StdRng, today: NaiveDate) -> (KycStatus, Option<NaiveDate>) {
    match rng.gen_range(0..100) {
        0..=9 => (
            KycStatus::Valid,
            Some(today - Duration::days(rng.gen_range(1..200))),
        ),
        10..=14 => (KycStatus::Pending, None),
        15..=19 => (
            KycStatus::Valid,
            Some(today + Duration::days(rng.gen_range(1..30))),
        ),
        20..=21 => (
            KycStatus::Expired,
            Some(today - Duration::days(rng.gen_range(200..400))),
        ),
        _ => (
            KycStatus::Valid,
            Some(today + Duration::days(rng.gen_range(60..720))),
        ),
    }
}

fn generate(
    rng: &mut StdRng,
    n: usize,
    owner_ids: &[i64],
    today: NaiveDate,
    contacts_per_client: usize,
) -> Generated {
    let owner_id = owner_ids[n % owner_ids.len()].to_string();
    let role = n % 10; // 0-5 investors, 6-7 borrowers, 8 both, 9 foreign investor
    let (place, place_en) = pick(rng, PLACES);
    let (core, core_en) = pick(rng, CORES);
    let series = n / (PLACES.len() * CORES.len());
    let series_zh = if series > 0 {
        format!("（{}号）", series + 1)
    } else {
        String::new()
    };
    let series_en = if series > 0 {
        format!(" No. {}", series + 1)
    } else {
        String::new()
    };
    let is_investor = role != 6 && role != 7;
    let is_borrower = matches!(role, 6..=8);
    let (display_name, latin_name, client_type, country, currency) = if role == 9 {
        let (name, country, currency) = FOREIGN[n / 10 % FOREIGN.len()];
        (
            format!("{name}{series_en}"),
            String::new(),
            ClientType::Fund,
            country.to_string(),
            currency.to_string(),
        )
    } else {
        let forms = if is_investor && !is_borrower {
            INVESTOR_FORMS
        } else {
            BORROWER_FORMS
        };
        let (form_zh, form_en, kind) = pick(rng, forms);
        (
            format!("{place}{core}{form_zh}{series_zh}"),
            format!("{place_en} {core_en} {form_en}{series_en}"),
            *kind,
            "CN".to_string(),
            "CNY".to_string(),
        )
    };
    let risk = RiskAppetite::ALL[n % RiskAppetite::ALL.len()];
    let (lo, hi) = TICKETS_WAN[(n / 4) % TICKETS_WAN.len()];
    let (kyc_status, kyc_due) = kyc(rng, today);
    let sector = if is_borrower {
        *pick(rng, SECTORS_FOR_BORROWERS)
    } else {
        Sector::FinancialServices
    };
    let mut preferred: Vec<Sector> = SECTORS_FOR_BORROWERS
        .choose_multiple(rng, 3)
        .copied()
        .collect();
    preferred.sort_by_key(|s| s.as_str());
    let domain = format!("client{n}.example");
    let first = if role == 9 {
        let name = ENGLISH_PEOPLE[n % ENGLISH_PEOPLE.len()];
        NewContact {
            name: name.to_string(),
            title: Some("Managing Director".into()),
            email: Some(format!(
                "{}@{domain}",
                name.to_lowercase().replace(' ', ".")
            )),
            phone: Some(format!(
                "+65 6{:03} {:04}",
                rng.gen_range(0..1000),
                rng.gen_range(0..10_000)
            )),
            language: "en".into(),
        }
    } else {
        person(rng, &domain, 0)
    };
    let registration_id = format!(
        "91{:06}MA{:08}{}",
        110_000 + rng.gen_range(0..800_000),
        n,
        rng.gen_range(0..10)
    );
    let scale = if currency == "CNY" { 1 } else { 7 }; // foreign tickets in their own currency, roughly
    let form = ClientForm {
        display_name,
        latin_name,
        registration_id: if role == 9 {
            String::new()
        } else {
            registration_id
        },
        client_type: client_type.as_str().into(),
        country,
        sector: sector.as_str().into(),
        owner_id,
        is_investor,
        is_borrower,
        risk_appetite: risk.as_str().into(),
        ticket_min: format!("{}万", lo / scale),
        ticket_max: format!("{}万", hi / scale),
        ticket_currency: currency,
        preferred_sectors: preferred.iter().map(|s| s.as_str().to_string()).collect(),
        preferred_regions: pick(
            rng,
            &["华东, 华南", "长三角", "粤港澳大湾区", "ASEAN", "全国"],
        )
        .to_string(),
        preferred_instruments: vec![pick(rng, Instrument::ALL).as_str().to_string()],
        max_tenor_months: [60, 120, 180, 240][n % 4].to_string(),
        esg_requirement: EsgRequirement::ALL[n % 3].as_str().into(),
        kyc_status: kyc_status.as_str().into(),
        kyc_review_due: kyc_due.map(|d| d.to_string()).unwrap_or_default(),
        qualified_investor: !n.is_multiple_of(3),
        credit_rating: pick(rng, &["AAA", "AA+", "AA", "AA-", "A+"]).to_string(),
        financing_need: format!("{}亿", rng.gen_range(5..80)),
        financing_currency: "CNY".into(),
        contact_name: first.name.clone(),
        contact_title: first.title.clone().unwrap_or_default(),
        contact_email: first.email.clone().unwrap_or_default(),
        contact_phone: first.phone.clone().unwrap_or_default(),
        contact_language: first.language.clone(),
        ..ClientForm::default()
    };
    let extra_contacts = (1..contacts_per_client)
        .map(|i| person(rng, &domain, i))
        .collect();
    let stage = *pick(
        rng,
        &[
            LifecycleStage::Acquisition,
            LifecycleStage::Development,
            LifecycleStage::Development,
            LifecycleStage::Maturity,
            LifecycleStage::Maturity,
            LifecycleStage::Maturity,
            LifecycleStage::Decline,
            LifecycleStage::Lost,
        ],
    );
    Generated {
        form,
        stage,
        extra_contacts,
    }
}

/// How many demo clients to make, and when "now" is.
#[derive(Clone, Copy)]
pub struct SeedPlan {
    pub count: usize,
    pub contacts_per_client: usize,
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
}

/// Creates the planned clients with their contacts, in batches, reporting progress; returns
/// how many were created. A database that already has clients is left as it is.
pub async fn seed_clients(
    db: &Db,
    rng: &mut StdRng,
    owner_ids: &[i64],
    plan: &SeedPlan,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<usize, String> {
    let SeedPlan {
        count,
        contacts_per_client,
        now,
        today,
    } = *plan;
    let err = |e: sqlx::Error| e.to_string();
    let mut tx = db.begin().await.map_err(err)?;
    for (currency, rate) in DEMO_FX {
        repo::set_fx_rate(&mut tx, currency, today - Duration::days(1), *rate)
            .await
            .map_err(err)?;
    }
    tx.commit().await.map_err(err)?;
    let existing = crate::with_db!(db, c => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM clients").fetch_one(c).await).map_err(err)?;
    if existing > 0 {
        return Ok(0);
    }
    const BATCH: usize = 500;
    let mut created = 0;
    for start in (0..count).step_by(BATCH) {
        let mut tx = db.begin().await.map_err(err)?;
        for n in start..(start + BATCH).min(count) {
            let generated = generate(rng, n, owner_ids, today, contacts_per_client);
            let valid = validate(&generated.form, true)
                .map_err(|e| format!("demo client {n} is invalid: {e:?}"))?;
            let band = repo::band_of(&mut tx, &valid, today).await.map_err(err)?;
            let owner = valid.owner_id.unwrap_or(owner_ids[0]);
            // Spread creation over the last two years, so lists sorted by date look lived-in.
            let created_at = now - Duration::minutes(rng.gen_range(0..(2 * 365 * 24 * 60)));
            let id = repo::insert(&mut tx, &valid, owner, band, created_at)
                .await
                .map_err(err)?;
            for contact in &generated.extra_contacts {
                repo::insert_contact(&mut tx, id, contact, false, created_at)
                    .await
                    .map_err(err)?;
            }
            if generated.stage != LifecycleStage::Acquisition {
                repo::set_lifecycle_stage(&mut tx, id, generated.stage, created_at)
                    .await
                    .map_err(err)?;
            }
            audit::record(
                &mut tx,
                now,
                AuditEntry::new(Actor::System, "client.create", "client", Some(id)),
            )
            .await
            .map_err(err)?;
            created += 1;
        }
        tx.commit().await.map_err(err)?;
        progress(created, count);
    }
    Ok(created)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn generated_clients_are_valid_deterministic_and_varied() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).expect("date");
        let make = |seed| {
            let mut rng = StdRng::seed_from_u64(seed);
            (0..200)
                .map(|n| generate(&mut rng, n, &[1, 2, 3], today, 3))
                .collect::<Vec<_>>()
        };
        let a = make(1);
        let b = make(1);
        assert!(
            a.iter().zip(&b).all(|(x, y)| x.form == y.form),
            "same seed, same data"
        );
        let mut bands = std::collections::BTreeSet::new();
        let mut risks = std::collections::BTreeSet::new();
        let (mut both, mut borrowers, mut expired) = (0, 0, 0);
        for g in &a {
            let valid = validate(&g.form, true).expect("every demo client is valid");
            if let Some(p) = &valid.investor {
                risks.insert(p.risk_appetite.as_str());
                let rate = DEMO_FX
                    .iter()
                    .find(|(c, _)| *c == p.ticket_currency)
                    .map(|(_, r)| *r);
                bands.insert(
                    ticket_band(reporting_amount(p.ticket_max, &p.ticket_currency, rate)).as_str(),
                );
                if kyc_flag(p.kyc_status, p.kyc_review_due, today) == Some(KycFlag::Expired) {
                    expired += 1;
                }
            }
            both += usize::from(g.form.is_investor && g.form.is_borrower);
            borrowers += usize::from(!g.form.is_investor);
            assert_eq!(g.extra_contacts.len(), 2);
        }
        assert_eq!(risks.len(), 4, "{risks:?}");
        assert!(bands.len() >= 4, "{bands:?}");
        assert!(both > 0 && borrowers > 0 && expired > 0);
    }
}
