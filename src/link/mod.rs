//! Link: resolve the documents into one cross-referenced site.
//!
//! Decides what is published (dropping non-public documents, their Anlagen and the Anlagen
//! of non-public agenda items), which Vorlage-Nrs get a page, and for each page the
//! references it shows: Beratungsverlauf, mentions, Anlagen, Ergänzungen, Sitzungen of a
//! Gremium and of a person. Every step is a pass over the documents or a sort: linear in
//! the corpus apart from sorting.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::diagnostics::Diagnostic;
use crate::model::slug::slugify;
use crate::model::{Date, Document, Kind, Role};
use crate::parse::nr::NrMatcher;

pub type DocId = usize;

/// A Vorlage-Nr that has a page.
#[derive(Debug, Clone)]
pub struct VorlagePage {
    pub nr: String,
    pub slug: String,
    /// The `typ: vorlage` document, if the corpus has it.
    pub doc: Option<DocId>,
    pub titel: String,
    pub datum: Option<Date>,
    pub ursprung: Option<usize>,
    pub ergaenzungen: Vec<usize>,
    /// Public agenda items that dealt with it, by Sitzung date.
    pub beratungen: Vec<TopRef>,
    /// Documents that mention the number (itself excluded), by date.
    pub erwaehnungen: Vec<MentionRef>,
    pub anlagen: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TopRef {
    pub doc: DocId,
    pub top_index: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct MentionRef {
    pub doc: DocId,
    /// The agenda item whose section or title mentions it, for Niederschriften.
    pub top_index: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct AnlagePage {
    pub doc: DocId,
    pub slug: String,
    pub parent: Parent,
    /// Index of the agenda item (for Anlagen of a Sitzung with `top`).
    pub top_index: Option<usize>,
    pub nummer: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parent {
    Vorlage(usize),
    Sitzung(DocId),
}

#[derive(Debug, Clone)]
pub struct SitzungPage {
    pub doc: DocId,
    pub slug: String,
    pub gremium: usize,
    pub anlagen: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct GremiumPage {
    pub name: String,
    pub kuerzel: Option<String>,
    pub slug: String,
    /// Indices into `Site::sitzungen`, newest first.
    pub sitzungen: Vec<usize>,
    /// Persons present in its Sitzungen, with how often.
    pub mitglieder: Vec<(usize, usize)>,
}

#[derive(Debug, Clone)]
pub struct PersonPage {
    pub name: String,
    pub anrede: Option<String>,
    pub slug: String,
    /// (Sitzung index, role, funktion) newest first.
    pub auftritte: Vec<(usize, Role, Option<String>)>,
    /// Sections of the Protokoll that name the person.
    pub genannt: Vec<TopRef>,
}

#[derive(Debug)]
pub struct Site {
    pub documents: Vec<Document>,
    pub vorlagen: Vec<VorlagePage>,
    pub vorlage_by_nr: HashMap<String, usize>,
    /// Newest first.
    pub sitzungen: Vec<SitzungPage>,
    pub sitzung_by_doc: HashMap<DocId, usize>,
    pub anlagen: Vec<AnlagePage>,
    pub anlage_by_doc: HashMap<DocId, usize>,
    pub gremien: Vec<GremiumPage>,
    pub personen: Vec<PersonPage>,
}

impl Site {
    pub fn vorlage_doc(&self, page: &VorlagePage) -> Option<(&Document, &crate::model::Vorlage)> {
        let doc = &self.documents[page.doc?];
        match &doc.kind {
            Kind::Vorlage(v) => Some((doc, v)),
            _ => None,
        }
    }

    pub fn niederschrift(&self, doc: DocId) -> Option<&crate::model::Niederschrift> {
        match &self.documents[doc].kind {
            Kind::Niederschrift(n) => Some(n),
            _ => None,
        }
    }
}

/// Resolves all cross-references. Problems that concern more than one file (duplicate
/// numbers, an Anlage whose parent does not exist) are reported here.
pub fn link(all: Vec<Document>, matcher: &NrMatcher) -> (Site, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();

    // 1. What is not published, and what must therefore stay plain text.
    let mut hidden_vorlagen: BTreeSet<String> = BTreeSet::new();
    let mut hidden_sitzungen: BTreeSet<String> = BTreeSet::new();
    for doc in all.iter().filter(|d| !d.public) {
        match &doc.kind {
            Kind::Vorlage(v) => {
                hidden_vorlagen.insert(v.nr.clone());
            }
            Kind::Niederschrift(n) => {
                hidden_sitzungen.insert(n.nr.clone());
            }
            Kind::Anlage(_) => {}
        }
    }
    // Anlagen of a non-public agenda item: (Sitzung-Nr, TOP). A number used in both parts
    // is ambiguous for an Anlage; it is withheld, because publishing wrongly cannot be undone.
    let mut hidden_tops: BTreeSet<(String, String)> = BTreeSet::new();
    let mut ambiguous_tops: BTreeSet<(String, String)> = BTreeSet::new();
    for doc in all.iter().filter(|d| d.public) {
        let Kind::Niederschrift(n) = &doc.kind else {
            continue;
        };
        for t in n.tagesordnung.iter().filter(|t| !t.public) {
            hidden_tops.insert((n.nr.clone(), t.top.clone()));
            if n.tagesordnung.iter().any(|p| p.public && p.top == t.top) {
                ambiguous_tops.insert((n.nr.clone(), t.top.clone()));
            }
        }
    }
    let mut documents: Vec<Document> = Vec::with_capacity(all.len());
    for doc in all.into_iter().filter(|d| d.public) {
        if let Kind::Anlage(a) = &doc.kind {
            if hidden_vorlagen.contains(&a.zu) || hidden_sitzungen.contains(&a.zu) {
                continue;
            }
            if let Some(top) = &a.top {
                let key = (a.zu.clone(), top.clone());
                if ambiguous_tops.contains(&key) {
                    diagnostics.push(
                        Diagnostic::warning(&doc.source.display, 1, format!("TOP {top} gibt es in {} im öffentlichen und im nichtöffentlichen Teil; die Anlage wird sicherheitshalber nicht veröffentlicht.", a.zu))
                            .with_hint("Nummerieren Sie nichtöffentliche TOPs eindeutig (z. B. `N1`) und geben Sie bei der Anlage diese Nummer an."),
                    );
                }
                if hidden_tops.contains(&key) {
                    continue;
                }
            }
        }
        documents.push(doc);
    }

    // 2. Duplicates among published documents.
    let mut vorlage_docs: BTreeMap<String, DocId> = BTreeMap::new();
    let mut sitzung_docs: BTreeMap<String, DocId> = BTreeMap::new();
    for (id, doc) in documents.iter().enumerate() {
        let (map, nr, what) = match &doc.kind {
            Kind::Vorlage(v) => (&mut vorlage_docs, &v.nr, "Vorlage"),
            Kind::Niederschrift(n) => (&mut sitzung_docs, &n.nr, "Niederschrift"),
            Kind::Anlage(_) => continue,
        };
        if let Some(&first) = map.get(nr) {
            diagnostics.push(
                Diagnostic::error(&doc.source.display, 1, format!("Die {what} „{nr}“ gibt es doppelt: auch in {}.", documents[first].source.display.display()))
                    .with_hint("Jede Nummer darf nur in einer Datei stehen; löschen oder korrigieren Sie eine der beiden."),
            );
        } else {
            map.insert(nr.clone(), id);
        }
    }

    // 3. Every Vorlage-Nr that gets a page.
    let mut numbers: BTreeSet<String> = BTreeSet::new();
    for doc in &documents {
        match &doc.kind {
            Kind::Vorlage(v) => {
                numbers.insert(v.nr.clone());
                numbers.extend(v.ursprung.clone());
            }
            Kind::Niederschrift(n) => {
                numbers.extend(
                    n.tagesordnung
                        .iter()
                        .filter(|t| t.public)
                        .filter_map(|t| t.vorlage.clone()),
                );
            }
            Kind::Anlage(_) => {}
        }
        numbers.extend(doc.scan.mentions.iter().map(|m| m.nr.clone()));
        numbers.extend(doc.frontmatter_mentions.iter().map(|m| m.nr.clone()));
    }
    let with_parents: Vec<String> = numbers.iter().filter_map(|nr| matcher.parent(nr)).collect();
    numbers.extend(with_parents);
    for hidden in &hidden_vorlagen {
        numbers.remove(hidden);
    }

    let mut vorlagen: Vec<VorlagePage> = Vec::with_capacity(numbers.len());
    let mut vorlage_by_nr: HashMap<String, usize> = HashMap::with_capacity(numbers.len());
    let mut slugs: HashMap<String, String> = HashMap::new();
    for nr in numbers {
        let slug = slugify(&nr);
        if let Some(other) = slugs.get(&slug) {
            diagnostics.push(Diagnostic::error(
                "book.toml",
                0,
                format!("Die Vorlage-Nummern „{other}“ und „{nr}“ ergeben dieselbe Adresse vorlagen/{slug}/."),
            ).with_hint("Vereinheitlichen Sie die Schreibweise einer der beiden Nummern."));
            continue;
        }
        slugs.insert(slug.clone(), nr.clone());
        let doc = vorlage_docs.get(&nr).copied();
        vorlage_by_nr.insert(nr.clone(), vorlagen.len());
        vorlagen.push(VorlagePage {
            titel: doc.map(|d| documents[d].titel.clone()).unwrap_or_default(),
            datum: doc.map(|d| documents[d].datum),
            nr,
            slug,
            doc,
            ursprung: None,
            ergaenzungen: Vec::new(),
            beratungen: Vec::new(),
            erwaehnungen: Vec::new(),
            anlagen: Vec::new(),
        });
    }

    // 4. Ursprung and Ergänzungen.
    for i in 0..vorlagen.len() {
        let explicit = vorlagen[i].doc.and_then(|d| match &documents[d].kind {
            Kind::Vorlage(v) => v.ursprung.clone(),
            _ => None,
        });
        let parent = explicit.or_else(|| matcher.parent(&vorlagen[i].nr));
        if let Some(p) = parent.and_then(|p| vorlage_by_nr.get(&p).copied()) {
            if p != i {
                vorlagen[i].ursprung = Some(p);
                vorlagen[p].ergaenzungen.push(i);
            }
        }
    }

    // 5. Sitzungen and Gremien.
    let mut sitzung_ids: Vec<DocId> = sitzung_docs.values().copied().collect();
    sitzung_ids.sort_by(|a, b| {
        (documents[*b].datum, &documents[*b].source.rel)
            .cmp(&(documents[*a].datum, &documents[*a].source.rel))
    });
    let mut gremium_names: BTreeMap<String, Option<String>> = BTreeMap::new();
    for doc in &documents {
        match &doc.kind {
            Kind::Niederschrift(n) => {
                let entry = gremium_names.entry(n.gremium.clone()).or_default();
                if entry.is_none() {
                    entry.clone_from(&n.gremium_kuerzel);
                }
            }
            Kind::Vorlage(v) => {
                for b in &v.beratungsfolge {
                    gremium_names.entry(b.gremium.clone()).or_default();
                }
            }
            Kind::Anlage(_) => {}
        }
    }
    let mut gremien: Vec<GremiumPage> = gremium_names
        .into_iter()
        .map(|(name, kuerzel)| GremiumPage {
            slug: slugify(&name),
            name,
            kuerzel,
            sitzungen: Vec::new(),
            mitglieder: Vec::new(),
        })
        .collect();
    let gremium_index: HashMap<String, usize> = gremien
        .iter()
        .enumerate()
        .map(|(i, g)| (g.name.clone(), i))
        .collect();
    let mut sitzungen: Vec<SitzungPage> = Vec::with_capacity(sitzung_ids.len());
    let mut sitzung_by_doc = HashMap::with_capacity(sitzung_ids.len());
    for doc_id in sitzung_ids {
        let Kind::Niederschrift(n) = &documents[doc_id].kind else {
            continue;
        };
        let gremium = gremium_index[&n.gremium];
        gremien[gremium].sitzungen.push(sitzungen.len());
        sitzung_by_doc.insert(doc_id, sitzungen.len());
        sitzungen.push(SitzungPage {
            doc: doc_id,
            slug: slugify(&n.nr),
            gremium,
            anlagen: Vec::new(),
        });
    }

    // 6. Beratungsverlauf and mentions.
    for sitzung in &sitzungen {
        let doc = &documents[sitzung.doc];
        let Kind::Niederschrift(n) = &doc.kind else {
            continue;
        };
        for (top_index, top) in n.tagesordnung.iter().enumerate() {
            if !top.public {
                continue;
            }
            if let Some(v) = top.vorlage.as_ref().and_then(|nr| vorlage_by_nr.get(nr)) {
                vorlagen[*v].beratungen.push(TopRef {
                    doc: sitzung.doc,
                    top_index,
                });
            }
        }
    }
    for (doc_id, doc) in documents.iter().enumerate() {
        let own = match &doc.kind {
            Kind::Vorlage(v) => Some(v.nr.as_str()),
            _ => None,
        };
        let mut seen: BTreeSet<(usize, Option<usize>)> = BTreeSet::new();
        let body = doc
            .scan
            .mentions
            .iter()
            .map(|m| (&m.nr, m.section.map(|s| doc.scan.sections[s].top_index)));
        let front = doc
            .frontmatter_mentions
            .iter()
            .map(|m| (&m.nr, m.top_index));
        for (nr, top_index) in body.chain(front) {
            if Some(nr.as_str()) == own {
                continue;
            }
            let Some(&v) = vorlage_by_nr.get(nr) else {
                continue;
            };
            // An agenda item's own Vorlage is already in the Beratungsverlauf.
            let is_beratung = top_index.is_some_and(|t| match &doc.kind {
                Kind::Niederschrift(n) => n.tagesordnung[t].vorlage.as_deref() == Some(nr.as_str()),
                _ => false,
            });
            if is_beratung || !seen.insert((v, top_index)) {
                continue;
            }
            vorlagen[v].erwaehnungen.push(MentionRef {
                doc: doc_id,
                top_index,
            });
        }
    }

    // 7. Anlagen.
    let mut anlagen: Vec<AnlagePage> = Vec::new();
    let mut anlage_by_doc = HashMap::new();
    let mut anlage_slugs: HashMap<String, DocId> = HashMap::new();
    let mut sibling_count: HashMap<(String, Option<String>), usize> = HashMap::new();
    for (doc_id, doc) in documents.iter().enumerate() {
        let Kind::Anlage(a) = &doc.kind else { continue };
        let (parent, parent_slug, top_index) = if let Some(&s) = sitzung_docs.get(&a.zu) {
            let n = match &documents[s].kind {
                Kind::Niederschrift(n) => n,
                _ => continue,
            };
            let top_index = match &a.top {
                Some(t) => {
                    let found = n.tagesordnung.iter().position(|x| x.public && &x.top == t);
                    if found.is_none() {
                        diagnostics.push(Diagnostic::error(&doc.source.display, 1, format!("`top: {t}`: die Sitzung {} hat keinen öffentlichen TOP {t}.", n.nr))
                            .with_hint("Geben Sie eine TOP-Nummer aus der `tagesordnung` der Niederschrift an."));
                        continue;
                    }
                    found
                }
                None => None,
            };
            (Parent::Sitzung(s), slugify(&n.nr), top_index)
        } else if let Some(&v) = vorlage_by_nr.get(&a.zu) {
            (Parent::Vorlage(v), vorlagen[v].slug.clone(), None)
        } else {
            diagnostics.push(
                Diagnostic::error(&doc.source.display, 1, format!("`zu: {}` nennt keine Vorlage und keine Niederschrift des Korpus.", a.zu))
                    .with_hint("`zu` muss genau die `nr` einer Vorlage oder Niederschrift sein (z. B. `zu: ASID/07/WP18`)."),
            );
            continue;
        };
        let count = sibling_count
            .entry((parent_slug.clone(), a.top.clone()))
            .or_insert(0);
        *count += 1;
        let nummer = a.nummer.clone().unwrap_or_else(|| count.to_string());
        let slug = match &a.top {
            Some(t) if top_index.is_some() => format!(
                "{parent_slug}-top-{}-anlage-{}",
                slugify(t),
                slugify(&nummer)
            ),
            _ => format!("{parent_slug}-anlage-{}", slugify(&nummer)),
        };
        if let Some(&other) = anlage_slugs.get(&slug) {
            diagnostics.push(
                Diagnostic::error(
                    &doc.source.display,
                    1,
                    format!(
                        "Die Anlage hat dieselbe Nummer wie {} (Adresse anlagen/{slug}/).",
                        documents[other].source.display.display()
                    ),
                )
                .with_hint(
                    "Geben Sie jeder Anlage desselben Dokuments (und TOPs) eine eigene `nummer`.",
                ),
            );
            continue;
        }
        anlage_slugs.insert(slug.clone(), doc_id);
        let index = anlagen.len();
        match parent {
            Parent::Sitzung(s) => sitzungen[sitzung_by_doc[&s]].anlagen.push(index),
            Parent::Vorlage(v) => vorlagen[v].anlagen.push(index),
        }
        anlage_by_doc.insert(doc_id, index);
        anlagen.push(AnlagePage {
            doc: doc_id,
            slug,
            parent,
            top_index,
            nummer,
        });
    }
    let anlage_order = |a: &usize, b: &usize| {
        let (x, y) = (&anlagen[*a], &anlagen[*b]);
        (x.top_index, natural_key(&x.nummer)).cmp(&(y.top_index, natural_key(&y.nummer)))
    };
    for s in &mut sitzungen {
        s.anlagen.sort_by(anlage_order);
    }
    for v in &mut vorlagen {
        v.anlagen.sort_by(anlage_order);
    }

    // 8. Titles and dates of Vorlagen known only from other documents; stable orders.
    let date_of = |doc: DocId| documents[doc].datum;
    for v in &mut vorlagen {
        v.beratungen
            .sort_by_key(|r| (date_of(r.doc), r.doc, r.top_index));
        v.erwaehnungen
            .sort_by_key(|m| (date_of(m.doc), m.doc, m.top_index));
        if v.doc.is_none() {
            let from_agenda = v
                .beratungen
                .iter()
                .find_map(|r| match &documents[r.doc].kind {
                    Kind::Niederschrift(n) => Some(n.tagesordnung[r.top_index].titel.clone()),
                    _ => None,
                });
            v.titel = from_agenda.unwrap_or_else(|| format!("Vorlage {}", v.nr));
            v.datum = v
                .beratungen
                .first()
                .map(|r| date_of(r.doc))
                .or_else(|| v.erwaehnungen.first().map(|m| date_of(m.doc)));
        }
    }

    // 9. Persons.
    let mut person_index: BTreeMap<String, usize> = BTreeMap::new();
    let mut personen: Vec<PersonPage> = Vec::new();
    let mut mitglieder: Vec<BTreeMap<usize, usize>> = vec![BTreeMap::new(); gremien.len()];
    for (si, sitzung) in sitzungen.iter().enumerate() {
        let doc = &documents[sitzung.doc];
        let Kind::Niederschrift(n) = &doc.kind else {
            continue;
        };
        let mut local: Vec<usize> = Vec::new();
        for (role, person) in n.persons() {
            let key = person.key();
            let index = *person_index.entry(key.clone()).or_insert_with(|| {
                personen.push(PersonPage {
                    name: key.clone(),
                    anrede: person.anrede.clone(),
                    slug: String::new(),
                    auftritte: Vec::new(),
                    genannt: Vec::new(),
                });
                personen.len() - 1
            });
            personen[index]
                .auftritte
                .push((si, role, person.funktion.clone()));
            if role == Role::Anwesend {
                *mitglieder[sitzung.gremium].entry(index).or_insert(0) += 1;
            }
            local.push(index);
        }
        for section in &doc.scan.sections {
            for &p in &section.named_persons {
                if let Some(&person) = local.get(p) {
                    let r = TopRef {
                        doc: sitzung.doc,
                        top_index: section.top_index,
                    };
                    if !personen[person].genannt.contains(&r) {
                        personen[person].genannt.push(r);
                    }
                }
            }
        }
    }
    // Slugs in name order, so that a clash is resolved the same way every time.
    let mut used: BTreeSet<String> = BTreeSet::new();
    for index in person_index.values() {
        let base = slugify(&personen[*index].name);
        let base = if base.is_empty() {
            "person".to_string()
        } else {
            base
        };
        let mut slug = base.clone();
        let mut n = 2;
        while !used.insert(slug.clone()) {
            slug = format!("{base}-{n}");
            n += 1;
        }
        personen[*index].slug = slug;
    }
    for (g, members) in mitglieder.into_iter().enumerate() {
        let mut list: Vec<(usize, usize)> = members.into_iter().collect();
        list.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then_with(|| personen[a.0].name.cmp(&personen[b.0].name))
        });
        gremien[g].mitglieder = list;
    }

    let site = Site {
        documents,
        vorlagen,
        vorlage_by_nr,
        sitzungen,
        sitzung_by_doc,
        anlagen,
        anlage_by_doc,
        gremien,
        personen,
    };
    (site, diagnostics)
}

/// Sorts "2" before "10" and "5.1" after "5".
pub fn natural_key(text: &str) -> Vec<(u64, String)> {
    let mut key = Vec::new();
    let mut digits = String::new();
    let mut other = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            if !other.is_empty() {
                key.push((0, std::mem::take(&mut other)));
            }
            digits.push(c);
        } else {
            if !digits.is_empty() {
                key.push((digits.parse().unwrap_or(u64::MAX), String::new()));
                digits.clear();
            }
            other.push(c);
        }
    }
    if !digits.is_empty() {
        key.push((digits.parse().unwrap_or(u64::MAX), String::new()));
    }
    if !other.is_empty() {
        key.push((0, other));
    }
    key
}

#[cfg(test)]
mod tests {
    use super::natural_key;

    #[test]
    fn natural_order() {
        let mut v = vec!["10", "2", "5.1", "5", "1"];
        v.sort_by_key(|s| natural_key(s));
        assert_eq!(v, vec!["1", "2", "5", "5.1", "10"]);
    }
}
