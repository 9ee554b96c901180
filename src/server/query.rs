//! Building a filtered query at run time with bind parameters only: conditions collect
//! their `$n` placeholders and values, and the repository splices nothing typed by a user
//! into the SQL text.
use chrono::{DateTime, NaiveDate, Utc};

/// Splits a keyset page fetched with one row more than `size`: the rows to show, and the
/// id (of the last row shown) to page on from when the extra row says there are more.
pub fn keyset_page<T>(
    mut rows: Vec<T>,
    size: i64,
    id: impl Fn(&T) -> i64,
) -> (Vec<T>, Option<i64>) {
    let more = rows.len() as i64 > size;
    rows.truncate(size.max(0) as usize);
    let next = if more { rows.last().map(id) } else { None };
    (rows, next)
}

/// A bind value of a query built at run time (filters).
#[derive(Clone, Debug)]
pub enum Bind {
    Text(String),
    Int(i64),
    Date(NaiveDate),
    Time(DateTime<Utc>),
}

/// Collects `WHERE` conditions and their binds, numbering the `$n` placeholders.
#[derive(Default)]
pub struct Conditions {
    sql: Vec<String>,
    pub binds: Vec<Bind>,
    /// Names of the joins the conditions refer to, so a count joins only what it needs.
    joins: Vec<&'static str>,
}

impl Conditions {
    /// Adds a bind and returns its placeholder.
    pub fn bind(&mut self, value: Bind) -> String {
        self.binds.push(value);
        format!("${}", self.binds.len())
    }

    pub fn push(&mut self, condition: String) {
        self.sql.push(condition);
    }

    /// Notes that the conditions name the table joined as `join`.
    pub fn need(&mut self, join: &'static str) {
        if !self.joins.contains(&join) {
            self.joins.push(join);
        }
    }

    pub fn needs(&self, join: &str) -> bool {
        self.joins.contains(&join)
    }

    pub fn where_clause(&self) -> String {
        if self.sql.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.sql.join(" AND "))
        }
    }
}

/// Binds every collected value, in order, to a sqlx query.
#[macro_export]
macro_rules! bind_all {
    ($query:expr, $binds:expr) => {{
        use $crate::server::query::Bind;
        let mut q = $query;
        for b in $binds {
            q = match b {
                Bind::Text(v) => q.bind(v.clone()),
                Bind::Int(v) => q.bind(*v),
                Bind::Date(v) => q.bind(*v),
                Bind::Time(v) => q.bind(*v),
            };
        }
        q
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_with_one_row_too_many_says_where_the_next_begins() {
        assert_eq!(keyset_page(vec![9, 8, 7], 2, |r| *r), (vec![9, 8], Some(8)));
        assert_eq!(keyset_page(vec![9, 8], 2, |r| *r), (vec![9, 8], None));
        assert_eq!(keyset_page(Vec::<i64>::new(), 2, |r| *r), (vec![], None));
    }

    #[test]
    fn placeholders_are_numbered_in_bind_order() {
        let mut c = Conditions::default();
        assert_eq!(c.where_clause(), "");
        let a = c.bind(Bind::Int(1));
        c.push(format!("a = {a}"));
        let b = c.bind(Bind::Text("x".into()));
        c.push(format!("b = {b}"));
        c.need("owner");
        c.need("owner");
        assert_eq!(c.where_clause(), "WHERE a = $1 AND b = $2");
        assert!(c.needs("owner") && !c.needs("profile"));
        assert_eq!(c.binds.len(), 2);
    }
}
