//! Search terms (DESIGN §3): one table of terms filled in Rust on every write and matched
//! with the same SQL on both engines. Chinese text is indexed by single characters and
//! adjacent pairs (full-text engines do not segment Chinese, trigrams miss two-character
//! names); Latin words by their prefixes; phone numbers by the suffixes of their digits.
use std::collections::BTreeSet;

const MAX_PREFIX: usize = 24;
const MIN_PHONE_SUFFIX: usize = 4;
/// A query never expands into more terms than this (each must match).
pub const MAX_QUERY_TERMS: usize = 8;

pub fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
}

/// Runs of CJK characters and runs of other letters/digits, lower-cased.
fn runs(text: &str) -> Vec<(bool, String)> {
    let mut out: Vec<(bool, String)> = Vec::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        let kind = if is_cjk(c) {
            Some(true)
        } else if c.is_alphanumeric() {
            Some(false)
        } else {
            None
        };
        match (kind, out.last_mut()) {
            (Some(k), Some((last, run))) if *last == k && !run.is_empty() => run.push(c),
            (Some(k), _) => out.push((k, c.to_string())),
            (None, Some((_, run))) if !run.is_empty() => out.push((false, String::new())),
            (None, _) => {}
        }
    }
    out.retain(|(_, run)| !run.is_empty());
    out
}

fn cjk_terms(run: &str, into: &mut BTreeSet<String>) {
    let chars: Vec<char> = run.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        into.insert(c.to_string());
        if let Some(next) = chars.get(i + 1) {
            into.insert(format!("{c}{next}"));
        }
    }
}

/// Terms that make `text` (names, titles, e-mails, ids) findable.
pub fn text_terms(text: &str, into: &mut BTreeSet<String>) {
    for (cjk, run) in runs(text) {
        if cjk {
            cjk_terms(&run, into);
        } else {
            let chars: Vec<char> = run.chars().collect();
            for len in 2..=chars.len().min(MAX_PREFIX) {
                into.insert(chars[..len].iter().collect());
            }
        }
    }
}

/// Terms that find a phone number by any ending of four or more of its digits.
pub fn phone_terms(phone: &str, into: &mut BTreeSet<String>) {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    for start in 0..digits.len().saturating_sub(MIN_PHONE_SUFFIX - 1) {
        into.insert(digits[start..].to_string());
    }
}

/// The terms a query must all match. A query of digits and phone punctuation is one
/// phone-digits term; otherwise Chinese runs give their pairs (or the single character)
/// and Latin words their lower-cased selves.
pub fn query_terms(query: &str) -> Vec<String> {
    let query = query.trim();
    let phone_like = query.chars().filter(char::is_ascii_digit).count() >= MIN_PHONE_SUFFIX
        && query
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()./".contains(c));
    let mut terms = BTreeSet::new();
    if phone_like {
        terms.insert(
            query
                .chars()
                .filter(char::is_ascii_digit)
                .collect::<String>(),
        );
    } else {
        for (cjk, run) in runs(query) {
            let chars: Vec<char> = run.chars().collect();
            if cjk && chars.len() == 1 {
                terms.insert(run);
            } else if cjk {
                for pair in chars.windows(2) {
                    terms.insert(pair.iter().collect());
                }
            } else if chars.len() >= 2 {
                terms.insert(chars.iter().take(MAX_PREFIX).collect());
            }
        }
    }
    terms.into_iter().take(MAX_QUERY_TERMS).collect()
}

/// Legal-form endings that say nothing about which organisation a name is.
const LEGAL_FORMS: &[&str] = &[
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "集团",
    "(有限合伙)",
    "（有限合伙）",
    "有限合伙",
    " co., ltd.",
    " co., ltd",
    " co ltd",
    " limited",
    " ltd.",
    " ltd",
    " llc",
    " inc.",
    " inc",
    " plc",
    " lp",
];

/// A name without its legal-form ending, for spotting likely duplicates.
pub fn name_core(name: &str) -> String {
    let mut core = name.trim().to_lowercase();
    loop {
        let before = core.len();
        for ending in LEGAL_FORMS {
            if let Some(stripped) = core.strip_suffix(ending) {
                core = stripped.trim_end_matches([',', ' ']).to_string();
            }
        }
        if core.len() == before {
            return core;
        }
    }
}

/// How many of `n` name terms another name must share to count as a likely duplicate.
pub fn duplicate_threshold(n: usize) -> usize {
    (n * 4).div_ceil(5).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn indexed(texts: &[&str], phones: &[&str]) -> BTreeSet<String> {
        let mut terms = BTreeSet::new();
        for t in texts {
            text_terms(t, &mut terms);
        }
        for p in phones {
            phone_terms(p, &mut terms);
        }
        terms
    }

    fn finds(index: &BTreeSet<String>, query: &str) -> bool {
        let terms = query_terms(query);
        !terms.is_empty() && terms.iter().all(|t| index.contains(t))
    }

    #[test]
    fn chinese_names_are_found_by_characters_and_pairs() {
        let index = indexed(&["长江基础设施投资基金", "王伟"], &[]);
        assert!(finds(&index, "王伟"));
        assert!(finds(&index, "基础设施"));
        assert!(finds(&index, "长"));
        assert!(!finds(&index, "王芳"));
        assert!(!finds(&index, "江长"), "pairs keep their order");
    }

    #[test]
    fn latin_words_are_found_by_prefix_in_any_case() {
        let index = indexed(
            &[
                "Yangtze Infrastructure Fund",
                "wang.wei@yangtze-capital.com",
                "91310000MA1K4XYZ2B",
            ],
            &[],
        );
        assert!(finds(&index, "yang"));
        assert!(finds(&index, "INFRA fund"));
        assert!(finds(&index, "wang.wei"));
        assert!(finds(&index, "91310000ma1k"));
        assert!(!finds(&index, "structure"), "prefixes, not infixes");
        assert!(!finds(&index, "y"), "one letter is too broad to search");
    }

    #[test]
    fn phones_are_found_by_their_last_digits() {
        let index = indexed(&[], &["+86 138-0013-8888"]);
        assert!(finds(&index, "8888"));
        assert!(finds(&index, "138 0013 8888"));
        assert!(finds(&index, "+86 13800138888"));
        assert!(
            !finds(&index, "1380"),
            "the start of a number is not an ending"
        );
    }

    #[test]
    fn legal_forms_do_not_make_names_different() {
        assert_eq!(
            name_core("长江基础设施投资基金有限公司"),
            "长江基础设施投资基金"
        );
        assert_eq!(
            name_core("Pearl River Capital Co., Ltd."),
            "pearl river capital"
        );
        assert_eq!(name_core("华夏集团股份有限公司"), "华夏");
        assert_eq!(duplicate_threshold(10), 8);
        assert_eq!(duplicate_threshold(1), 1);
    }

    #[test]
    fn mixed_queries_need_every_part() {
        let index = indexed(&["王伟 Wang Wei"], &["13800138888"]);
        assert!(finds(&index, "王伟 wang"));
        assert!(!finds(&index, "王伟 li"));
        assert!(query_terms("   ").is_empty());
        assert!(
            query_terms("a b c d e f g h i j k l m n o p q r s t u v").len() <= MAX_QUERY_TERMS
        );
    }
}
