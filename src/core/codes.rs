//! Closed lists of codes (stages, sectors, risk appetites…): stored as text, shown through
//! the catalogue under `<prefix>.<code>`, parsed back without panics.

/// Declares an enum whose variants map one-to-one to stable text codes.
#[macro_export]
macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident, $prefix:literal, { $($variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn parse(code: &str) -> Option<$name> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }

            /// Translation key of the code's name.
            pub fn i18n_key(self) -> String {
                format!("{}.{}", $prefix, self.as_str())
            }
        }
    };
}
