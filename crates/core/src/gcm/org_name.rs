//! Azure DevOps organization names, checked before one goes anywhere near a git config key,
//! a credential request or a URL path.
//!
//! The rules are Azure DevOps' own for a new organization: ASCII letters, digits and hyphens,
//! starting and ending with a letter or digit, at most 50 characters. Anything else is refused
//! here, so `.`, `=`, `/`, `..`, whitespace, quotes and look-alike letters (Cyrillic `а`) can never
//! change the meaning of `credential.azrepos:org/<org>.azureAuthority` or of
//! `https://dev.azure.com/<org>/`.

use crate::error::{Error, ErrorCode, Result};

/// The longest organization name Azure DevOps accepts.
pub const MAX_ORG_NAME_CHARS: usize = 50;

/// Checks an organization name against Azure DevOps' naming rules. The error message says
/// exactly which character is wrong and where, so a person can fix a typo.
pub fn validate_org_name(name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(invalid(name, "it is empty".into()));
    }
    if let Some((position, c)) = name.chars().enumerate().find(|(_, c)| !is_allowed(*c)) {
        return Err(invalid(name, describe_bad_char(c, position + 1)));
    }
    // Only ASCII is left, so bytes and characters agree from here on.
    if name.len() > MAX_ORG_NAME_CHARS {
        return Err(invalid(
            name,
            format!(
                "it is {} characters long and the limit is {MAX_ORG_NAME_CHARS}",
                name.len()
            ),
        ));
    }
    if name.starts_with('-') {
        return Err(invalid(name, "it starts with a hyphen".into()));
    }
    if name.ends_with('-') {
        return Err(invalid(name, "it ends with a hyphen".into()));
    }
    Ok(())
}

fn is_allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-'
}

fn describe_bad_char(c: char, position: usize) -> String {
    let what = match c {
        '.' => "a dot ('.')".to_owned(),
        '=' => "an equals sign ('=')".to_owned(),
        '/' | '\\' => format!("a slash ('{c}')"),
        '"' | '\'' | '`' => format!("a quote ({c})"),
        '\n' | '\r' => "a line break".to_owned(),
        '\t' => "a tab".to_owned(),
        ' ' => "a space".to_owned(),
        c if c.is_control() => format!("the control character U+{:04X}", c as u32),
        c if c.is_whitespace() => format!("the space character U+{:04X}", c as u32),
        c if !c.is_ascii() => format!(
            "'{c}' (U+{:04X}), which is not a plain ASCII letter or digit (it may be a look-alike)",
            c as u32
        ),
        c => format!("'{c}'"),
    };
    format!(
        "character {position} is {what}; only the letters A-Z and a-z, the digits 0-9 and hyphens are allowed"
    )
}

fn invalid(name: &str, why: String) -> Error {
    // The name is shown escaped: it may hold a line break or a terminal control character.
    Error::new(
        ErrorCode::InvalidInput,
        format!(
            "The organization name {} is not valid: {why}.",
            quoted(name)
        ),
        "Type the organization name exactly as it appears in https://dev.azure.com/<organization>.",
    )
}

/// A name as it can be shown safely on one line: quoted, control and non-ASCII characters escaped.
pub(crate) fn quoted(text: &str) -> String {
    let shown: String = text
        .chars()
        .take(80)
        .flat_map(char::escape_default)
        .collect();
    if text.chars().count() > 80 {
        format!("\"{shown}…\"")
    } else {
        format!("\"{shown}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_azure_devops_names() {
        for name in ["contoso", "Contoso-Dev", "a", "9", "a-b-c", &"x".repeat(50)] {
            validate_org_name(name).unwrap_or_else(|e| panic!("{name}: {}", e.message));
        }
    }

    #[test]
    fn says_what_is_wrong() {
        let cases = [
            ("", "it is empty"),
            ("a.b", "character 2 is a dot"),
            ("a=b", "an equals sign"),
            ("a/b", "a slash"),
            ("..", "character 1 is a dot"),
            ("a\nb", "a line break"),
            ("a b", "a space"),
            ("a\"b", "a quote"),
            ("\u{430}bc", "U+0430"),
            ("-abc", "starts with a hyphen"),
            ("abc-", "ends with a hyphen"),
            (&"x".repeat(51), "51 characters long"),
        ];
        for (name, expected) in cases {
            let err = validate_org_name(name).expect_err(name);
            assert_eq!(err.code, ErrorCode::InvalidInput);
            assert!(
                err.message.contains(expected),
                "{name:?}: {} lacks {expected}",
                err.message
            );
            assert!(!err.message.contains('\n'), "message must stay on one line");
        }
    }
}
