//! A published source behind an outcome, a gap or a risk rule.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One published source, as precise as the evidence summary allows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct Citation {
    /// Authors as usually cited, e.g. "Kwon et al."; absent when the summary gives none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authors: Option<String>,
    /// Article title, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Journal (or registry / publisher) name, e.g. "Acta Derm Venereol".
    pub journal: String,
    /// Publication year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<u16>,
    /// Volume, issue and pages or article number, e.g. "100:adv00310".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// DOI without the resolver prefix, e.g. "10.1093/asjof/ojae060".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doi: Option<String>,
    /// PubMed id, digits only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pmid: Option<String>,
    /// A stable web address, when there is no DOI or PMID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Study design, size and caveats, e.g. "split-face RCT, n=25; authors linked to the maker".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub design: Option<String>,
}

impl fmt::Display for Citation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(authors) = &self.authors {
            write!(f, "{authors}, ")?;
        }
        write!(f, "{}", self.journal)?;
        if let Some(year) = self.year {
            write!(f, " {year}")?;
        }
        if let Some(reference) = &self.reference {
            write!(f, ";{reference}")?;
        }
        if let Some(doi) = &self.doi {
            write!(f, ", doi:{doi}")?;
        }
        if let Some(pmid) = &self.pmid {
            write!(f, ", PMID {pmid}")?;
        }
        if let Some(url) = &self.url {
            write!(f, ", {url}")?;
        }
        if let Some(design) = &self.design {
            write!(f, " ({design})")?;
        }
        Ok(())
    }
}
