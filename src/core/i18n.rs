//! The translation catalogue: every string a user sees comes from `locales/{zh,en}.json`.
//!
//! Both catalogues are compiled into the binary and the browser bundle (a few kilobytes) and
//! parsed once. The language of a request is decided on the server and handed to the browser
//! with the session info, so server rendering and hydration always agree.
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    /// Simplified Chinese, the default language of the product.
    #[default]
    Zh,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Zh, Lang::En];

    /// The short code stored in the database and in the `lang` cookie.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The value of `<html lang>`.
    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The language's own name, shown in the switcher whatever the current language is.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Zh => "中文",
            Lang::En => "English",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "zh-hans" | "zh_cn" => Some(Lang::Zh),
            "en" | "en-us" | "en-gb" => Some(Lang::En),
            _ => None,
        }
    }

    /// Picks the first supported language of an `Accept-Language` header, else the default.
    pub fn from_accept_language(header: &str) -> Lang {
        header
            .split(',')
            .filter_map(|part| part.split(';').next())
            .find_map(|tag| {
                let primary = tag.trim().split('-').next().unwrap_or_default();
                Lang::parse(primary)
            })
            .unwrap_or_default()
    }
}

type Catalogue = HashMap<String, String>;

fn parse_catalogue(json: &str) -> Catalogue {
    // The catalogues are part of the build; a broken one is caught by the unit tests below.
    serde_json::from_str(json).unwrap_or_default()
}

fn catalogue(lang: Lang) -> &'static Catalogue {
    static ZH: OnceLock<Catalogue> = OnceLock::new();
    static EN: OnceLock<Catalogue> = OnceLock::new();
    match lang {
        Lang::Zh => ZH.get_or_init(|| parse_catalogue(include_str!("../../locales/zh.json"))),
        Lang::En => EN.get_or_init(|| parse_catalogue(include_str!("../../locales/en.json"))),
    }
}

/// The text of `key` in `lang`; a missing key shows itself, so it is noticed, never blank.
pub fn t(lang: Lang, key: &str) -> String {
    catalogue(lang)
        .get(key)
        .cloned()
        .unwrap_or_else(|| key.to_string())
}

/// Like [`t`], replacing each `{name}` with its value.
pub fn t_with(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    args.iter().fold(t(lang, key), |text, (name, value)| {
        text.replace(&format!("{{{name}}}"), value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(lang: Lang) -> Catalogue {
        let json = match lang {
            Lang::Zh => include_str!("../../locales/zh.json"),
            Lang::En => include_str!("../../locales/en.json"),
        };
        serde_json::from_str(json).expect("catalogue is valid JSON")
    }

    #[test]
    fn both_catalogues_have_the_same_keys() {
        let zh = raw(Lang::Zh);
        let en = raw(Lang::En);
        let mut only_zh: Vec<_> = zh.keys().filter(|k| !en.contains_key(*k)).collect();
        let mut only_en: Vec<_> = en.keys().filter(|k| !zh.contains_key(*k)).collect();
        only_zh.sort();
        only_en.sort();
        assert!(only_zh.is_empty(), "missing in en.json: {only_zh:?}");
        assert!(only_en.is_empty(), "missing in zh.json: {only_en:?}");
        assert!(zh.values().chain(en.values()).all(|v| !v.trim().is_empty()));
    }

    #[test]
    fn every_key_used_in_the_code_exists() {
        let zh = raw(Lang::Zh);
        let mut missing = Vec::new();
        let src = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        for source in rust_files(std::path::Path::new(src)) {
            if source.ends_with("core/i18n.rs") {
                continue; // its comments show the markers with example keys
            }
            let text = std::fs::read_to_string(&source).unwrap_or_default();
            for key in quoted_keys(&text) {
                if !zh.contains_key(&key) {
                    missing.push(format!("{}: {key}", source.display()));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys used but not in the catalogue: {missing:#?}"
        );
    }

    /// Keys are written as `tr("area.name")`, `t(lang, "area.name")` or `key: "area.name"`
    /// in the sources; this finds the literal after each of those markers.
    fn quoted_keys(text: &str) -> Vec<String> {
        let mut keys = Vec::new();
        for marker in ["tr(\"", "t(lang, \"", "t_with(lang, \"", "i18n_key: \""] {
            for (at, _) in text.match_indices(marker) {
                // `write_str("…")` ends in `tr("` too: a key marker starts a word.
                let starts_word = text[..at]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
                if !starts_word {
                    continue;
                }
                let rest = &text[at + marker.len()..];
                if let Some(end) = rest.find('"') {
                    keys.push(rest[..end].to_string());
                }
            }
        }
        keys
    }

    fn rust_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(rust_files(&path));
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
        out
    }

    #[test]
    fn accept_language_picks_the_first_supported() {
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Lang::En);
        assert_eq!(Lang::from_accept_language("fr-FR, zh-CN;q=0.8"), Lang::Zh);
        assert_eq!(Lang::from_accept_language("de"), Lang::Zh);
        assert_eq!(Lang::from_accept_language(""), Lang::Zh);
    }

    #[test]
    fn placeholders_are_filled() {
        let text = t_with(Lang::En, "login.error.locked", &[("minutes", "15")]);
        assert!(text.contains("15"), "{text}");
        assert!(!text.contains("{minutes}"));
    }
}
