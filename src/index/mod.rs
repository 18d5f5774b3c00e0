//! Index: the search index and the Vorlage-Nr lookup, written beside the pages.
//!
//! The records (what a search can find) are known from the linked site before rendering,
//! so they are numbered first; their text is added while the pages render.

pub mod nr;
mod patch;
pub mod search;
pub mod state;
pub mod stem;

use std::collections::HashMap;
use std::sync::Arc;

use crate::link::{Parent, Site};
use crate::model::Kind;

use search::RecordMeta;

/// Record ids of every searchable unit of the site.
#[derive(Debug, Default)]
pub struct RecordIds {
    pub vorlage: Vec<u32>,
    pub anlage: Vec<u32>,
    pub sitzung: Vec<u32>,
    /// (Sitzung index, agenda index) → record of that TOP's Protokoll section.
    pub top: HashMap<(usize, usize), u32, search::FxBuild>,
}

/// The search records of the site, numbered: the builder that collects their text while
/// pages render, and each page's record ids. Needs only the linked site, so a build makes
/// them while the last build's files are still being checked (`PreviousFiles`).
pub fn number_records(site: &Site) -> (search::IndexBuilder, RecordIds) {
    let (records, slots) = records(site);
    let (builder, ids) = search::IndexBuilder::new(records);
    let record_ids = RecordIds::new(site, &slots, &ids);
    (builder, record_ids)
}

/// Lists the records of the site: every Vorlage, Anlage and Sitzung page, and every public
/// agenda item with a Protokoll section (found with a deep link to that section). Built in
/// parallel: every build lists them, a rebuild that renders a handful of pages included.
pub fn records(site: &Site) -> (Vec<RecordMeta>, Vec<RecordSlot>) {
    use rayon::prelude::*;
    // One shared name per Gremium, not a copy per record.
    let gremien: Vec<Arc<str>> = site
        .gremien
        .iter()
        .map(|g| Arc::from(g.name.as_str()))
        .collect();
    let gremium_of_sitzung = |si: usize| Arc::clone(&gremien[site.sitzungen[si].gremium]);
    let vorlagen = site.vorlagen.par_iter().enumerate().map(|(i, v)| {
        let gremium = v
            .beratungen
            .first()
            .map(|r| gremium_of_sitzung(site.sitzung_by_doc[&r.doc]))
            .or_else(|| {
                site.vorlage_doc(v).and_then(|(_, x)| {
                    x.beratungsfolge
                        .first()
                        .map(|b| Arc::from(b.gremium.as_str()))
                })
            });
        let meta = RecordMeta {
            url: format!("vorlagen/{}/", v.slug),
            titel: format!("{}: {}", v.nr, v.titel),
            typ: "Vorlage",
            datum: v.datum,
            gremium,
        };
        (meta, RecordSlot::Vorlage(i))
    });
    let anlagen = site.anlagen.par_iter().enumerate().map(|(i, a)| {
        let doc = &site.documents[a.doc];
        let gremium = match a.parent {
            Parent::Sitzung(s) => Some(gremium_of_sitzung(site.sitzung_by_doc[&s])),
            Parent::Vorlage(v) => site.vorlagen[v]
                .beratungen
                .first()
                .map(|r| gremium_of_sitzung(site.sitzung_by_doc[&r.doc])),
        };
        let meta = RecordMeta {
            url: format!("anlagen/{}/", a.slug),
            titel: format!("Anlage {}: {}", a.nummer, doc.titel),
            typ: "Anlage",
            datum: Some(doc.datum),
            gremium,
        };
        (meta, RecordSlot::Anlage(i))
    });
    let sitzungen = site
        .sitzungen
        .par_iter()
        .enumerate()
        .flat_map_iter(|(si, s)| {
            let doc = &site.documents[s.doc];
            let mut out = Vec::new();
            let Kind::Niederschrift(n) = &doc.kind else {
                return out;
            };
            let gremium = gremium_of_sitzung(si);
            out.push((
                RecordMeta {
                    url: format!("sitzungen/{}/", s.slug),
                    titel: format!("Sitzung {}: {}", n.nr, gremium),
                    typ: "Sitzung",
                    datum: Some(doc.datum),
                    gremium: Some(Arc::clone(&gremium)),
                },
                RecordSlot::Sitzung(si),
            ));
            for section in &doc.scan.sections {
                let top = &n.tagesordnung[section.top_index];
                out.push((
                    RecordMeta {
                        url: format!(
                            "sitzungen/{}/#top-{}",
                            s.slug,
                            crate::model::slug::slugify(&top.top)
                        ),
                        titel: format!("TOP {}: {}", top.top, top.titel),
                        typ: "Sitzung",
                        datum: Some(doc.datum),
                        gremium: Some(Arc::clone(&gremium)),
                    },
                    RecordSlot::Top(si, section.top_index),
                ));
            }
            out
        });
    vorlagen.chain(anlagen).chain(sitzungen).unzip()
}

/// What a record belongs to, in the order of `records`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordSlot {
    Vorlage(usize),
    Anlage(usize),
    Sitzung(usize),
    Top(usize, usize),
}

impl RecordIds {
    pub fn new(site: &Site, slots: &[RecordSlot], ids: &[u32]) -> RecordIds {
        let mut r = RecordIds {
            vorlage: vec![0; site.vorlagen.len()],
            anlage: vec![0; site.anlagen.len()],
            sitzung: vec![0; site.sitzungen.len()],
            top: HashMap::default(),
        };
        for (slot, id) in slots.iter().zip(ids) {
            match *slot {
                RecordSlot::Vorlage(i) => r.vorlage[i] = *id,
                RecordSlot::Anlage(i) => r.anlage[i] = *id,
                RecordSlot::Sitzung(i) => r.sitzung[i] = *id,
                RecordSlot::Top(s, t) => {
                    r.top.insert((s, t), *id);
                }
            }
        }
        r
    }
}
