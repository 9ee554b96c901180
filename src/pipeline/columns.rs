//! What both boards do the same way when they lay out their columns: a relationship
//! manager's default of their own cards, rows grouped by stage, and each column's figures.
use crate::auth::backend::StaffUser;
use crate::core::roles::Role;
use crate::pipeline::lifecycle::model::ColumnFigures;
use crate::server::query::{Bind, Conditions};

/// A relationship manager sees their own cards unless the URL chose an owner (or everyone).
pub fn own_cards_by_default(me: &StaffUser, owner_chosen: bool, owner: &mut Option<i64>) {
    if !owner_chosen && me.0.role() == Role::Rm {
        *owner = Some(me.0.id);
    }
}

/// `rows` split into one list per stage, in the board's column order, without copying.
pub fn by_stage<S: Copy, T>(
    stages: &[S],
    mut rows: Vec<T>,
    in_stage: impl Fn(&T, S) -> bool,
) -> Vec<(S, Vec<T>)> {
    stages
        .iter()
        .map(|&stage| {
            let (mine, rest) = rows.drain(..).partition(|r| in_stage(r, stage));
            rows = rest;
            (stage, mine)
        })
        .collect()
}

/// One `UNION ALL` branch per stage, in the given order: `branch` gets the placeholder of the
/// stage's bind parameter (bound in `c`) and writes that stage's query.
pub fn union_per_stage<'s>(
    c: &mut Conditions,
    stages: impl IntoIterator<Item = &'s str>,
    branch: impl Fn(&str) -> String,
) -> String {
    let branches: Vec<String> = stages
        .into_iter()
        .map(|stage| branch(&c.bind(Bind::Text(stage.into()))))
        .collect();
    branches.join(" UNION ALL ")
}

/// The figures of the column `stage` (empty if the stage has no cards).
pub fn figures_of(figures: &[ColumnFigures], stage: &str) -> ColumnFigures {
    figures
        .iter()
        .find(|f| f.stage == stage)
        .cloned()
        .unwrap_or_default()
}

/// The owner condition on a table of kept totals (migration 0009), and its binds: none for
/// everyone's cards.
pub fn owner_condition(owner: Option<i64>) -> Conditions {
    let mut c = Conditions::default();
    if let Some(owner) = owner {
        let p = c.bind(Bind::Int(owner));
        c.push(format!("owner_id = {p}"));
    }
    c
}
