//! `covenant seed-demo`: deterministic demo data. The same `--seed` makes the same data and
//! the same passwords: the demo staff (every role and department, with managers), clients,
//! projects, deals, interactions, and demo investors with portal access and updates.
use super::audit::{self, Actor, AuditEntry};
use super::clock::Clock;
use super::db::Db;
use crate::auth::{password, repo};
use crate::clients::seed as clients_seed;
use crate::core::i18n::Lang;
use crate::core::roles::{Department, Role};
use clap::ValueEnum;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Scale {
    /// A handful of everything, for trying the app.
    Small,
    /// Benchmark volumes (takes effect once business data exists).
    Large,
}

struct DemoStaff {
    email: &'static str,
    name: &'static str,
    role: Role,
    department: Department,
    /// E-mail of the manager, who is listed earlier.
    reports_to: Option<&'static str>,
}

const STAFF: &[DemoStaff] = &[
    DemoStaff {
        email: "admin@covenant.example",
        name: "周明",
        role: Role::Admin,
        department: Department::Management,
        reports_to: None,
    },
    DemoStaff {
        email: "crm@covenant.example",
        name: "林晓",
        role: Role::CrmOfficer,
        department: Department::Management,
        reports_to: Some("admin@covenant.example"),
    },
    DemoStaff {
        email: "wang.wei@covenant.example",
        name: "王伟",
        role: Role::Rm,
        department: Department::Marketing,
        reports_to: Some("crm@covenant.example"),
    },
    DemoStaff {
        email: "li.na@covenant.example",
        name: "李娜",
        role: Role::Rm,
        department: Department::Operations,
        reports_to: Some("crm@covenant.example"),
    },
    DemoStaff {
        email: "chen.jing@covenant.example",
        name: "陈静",
        role: Role::Rm,
        department: Department::Finance,
        reports_to: Some("crm@covenant.example"),
    },
    DemoStaff {
        email: "james.carter@covenant.example",
        name: "James Carter",
        role: Role::Rm,
        department: Department::Management,
        reports_to: Some("admin@covenant.example"),
    },
    DemoStaff {
        email: "analyst@covenant.example",
        name: "刘洋",
        role: Role::Analyst,
        department: Department::Finance,
        reports_to: Some("admin@covenant.example"),
    },
    DemoStaff {
        email: "viewer@covenant.example",
        name: "赵敏",
        role: Role::Viewer,
        department: Department::Operations,
        reports_to: Some("crm@covenant.example"),
    },
];

/// A readable password drawn from the seeded generator (no look-alike characters).
fn demo_password(rng: &mut StdRng) -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let tail: String = (0..12)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    format!("Demo-{tail}")
}

pub async fn seed_demo(
    db: &Db,
    clock: &dyn Clock,
    scale: Scale,
    seed: u64,
    public_url: &url::Url,
) -> Result<(), String> {
    let mut rng = StdRng::seed_from_u64(seed);
    let now = clock.now();
    db.prepare_bulk_load()
        .await
        .map_err(|e| format!("could not prepare the database for loading: {e}"))?;
    let mut printed = Vec::new();
    for staff in STAFF {
        let password = demo_password(&mut rng);
        if repo::find_by_email(db, staff.email)
            .await
            .map_err(|e| e.to_string())?
            .is_some()
        {
            printed.push((staff, "(exists; password unchanged)".to_string()));
            continue;
        }
        let hash = password::hash(password.clone()).await?;
        let manager = match staff.reports_to {
            Some(email) => repo::find_by_email(db, email)
                .await
                .map_err(|e| e.to_string())?
                .map(|m| m.id),
            None => None,
        };
        let new = repo::NewUser {
            email: staff.email,
            name: staff.name,
            role: staff.role,
            department: Some(staff.department),
            reports_to: manager,
            locale: if staff.name.is_ascii() {
                Lang::En
            } else {
                Lang::Zh
            },
            time_zone: if staff.name.is_ascii() {
                "Asia/Hong_Kong"
            } else {
                super::format::DEFAULT_TIME_ZONE
            },
            password_hash: &hash.0,
        };
        let insert = async {
            let mut tx = db.begin().await?;
            let id = repo::insert(&mut tx, &new, now).await?;
            audit::record(
                &mut tx,
                now,
                AuditEntry::new(Actor::System, "user.create", "user", Some(id)),
            )
            .await?;
            tx.commit().await
        };
        insert
            .await
            .map_err(|e| format!("could not add {}: {e}", staff.email))?;
        printed.push((staff, password));
    }
    seed_business_data(db, clock, scale, &mut rng).await?;
    let investors = {
        let rng = std::cell::RefCell::new(&mut rng);
        crate::portal::seed::seed_portal(db, || demo_password(&mut rng.borrow_mut()), now).await?
    };
    println!("Demo staff (seed {seed}); sign in at {}login", public_url);
    println!(
        "  {:<12} {:<11} {:<32} password",
        "role", "department", "e-mail"
    );
    for (staff, password) in printed {
        println!(
            "  {:<12} {:<11} {:<32} {password}",
            staff.role.as_str(),
            staff.department.as_str(),
            staff.email
        );
    }
    if !investors.is_empty() {
        println!("Demo investors; sign in at {}portal/login", public_url);
        for investor in investors {
            println!(
                "  {:<40} {:<20} {}",
                investor.email, investor.password, investor.entity
            );
        }
    }
    Ok(())
}

/// Clients with contacts, projects with tranches, deals and two years of interactions.
async fn seed_business_data(
    db: &Db,
    clock: &dyn Clock,
    scale: Scale,
    rng: &mut StdRng,
) -> Result<(), String> {
    let mut owners = Vec::new();
    for staff in STAFF
        .iter()
        .filter(|s| matches!(s.role, Role::Rm | Role::CrmOfficer))
    {
        if let Some(user) = repo::find_by_email(db, staff.email)
            .await
            .map_err(|e| e.to_string())?
        {
            owners.push(user.id);
        }
    }
    if owners.is_empty() {
        return Err("no demo relationship managers to own the demo clients".into());
    }
    let now = clock.now();
    let today = now.with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    let plan = match scale {
        Scale::Small => clients_seed::SeedPlan {
            count: 120,
            contacts_per_client: 3,
            now,
            today,
        },
        Scale::Large => clients_seed::SeedPlan {
            count: 20_000,
            contacts_per_client: 5,
            now,
            today,
        },
    };
    let started = std::time::Instant::now();
    let mut report = |done: usize, total: usize| {
        if matches!(scale, Scale::Large) {
            eprintln!(
                "  clients: {done}/{total} ({:.0} s)",
                started.elapsed().as_secs_f64()
            );
        }
    };
    let created = clients_seed::seed_clients(db, rng, &owners, &plan, &mut report).await?;
    if created == 0 {
        println!("Clients already exist; none added.");
    } else {
        println!(
            "Added {created} clients with {} contacts in {:.1} s.",
            created * plan.contacts_per_client,
            started.elapsed().as_secs_f64()
        );
    }
    let projects = match scale {
        Scale::Small => 30,
        Scale::Large => 2_000,
    };
    let added = crate::projects::seed::seed_projects(db, rng, projects, now).await?;
    if added > 0 {
        println!("Added {added} projects with their tranches.");
    }
    let deals = match scale {
        Scale::Small => 240,
        Scale::Large => 12_000,
    };
    let added = crate::pipeline::seed::seed_deals(db, rng, deals, now).await?;
    if added > 0 {
        println!("Added {added} deals in every stage.");
    }
    let per_client = match scale {
        Scale::Small => 8,
        Scale::Large => 2,
    };
    let added = crate::clients::timeline::seed::seed_interactions(db, rng, per_client, now).await?;
    if added > 0 {
        println!("Added {added} interactions over the last two years.");
    }
    crate::pipeline::lifecycle::warning::refresh(db, now, None)
        .await
        .map_err(|e| format!("could not assess the decline signals: {e}"))?;
    db.optimize(true)
        .await
        .map_err(|e| format!("could not analyse the new data: {e}"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_passwords() {
        let a = demo_password(&mut StdRng::seed_from_u64(1));
        let b = demo_password(&mut StdRng::seed_from_u64(1));
        let c = demo_password(&mut StdRng::seed_from_u64(2));
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(crate::auth::model::check_new_password(&a, "admin@covenant.example").is_ok());
    }

    #[test]
    fn every_role_and_department_is_represented() {
        for role in Role::ALL {
            assert!(STAFF.iter().any(|s| s.role == role), "{role:?}");
        }
        for department in Department::ALL {
            assert!(
                STAFF.iter().any(|s| s.department == department),
                "{department:?}"
            );
        }
    }
}
