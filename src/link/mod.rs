//! Link: resolve the documents into one cross-referenced site.
//!
//! Decides what is published (dropping non-public documents, their Anlagen and the Anlagen
//! of non-public agenda items), which Vorlage-Nrs get a page, and for each page the
//! references it shows: Beratungsverlauf, mentions, Anlagen, Ergänzungen, Sitzungen of a
//! Gremium and of a person. Every step is a pass over the documents or a sort: linear in
//! the corpus apart from sorting.

use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;

use crate::diagnostics::Diagnostic;
use crate::index::search::FxBuild;
use crate::model::slug::slugify;
use crate::model::{Date, Document, Kind, Role};
use crate::parse::nr::NrMatcher;

pub type DocId = usize;

/// A Vorlage-Nr that has a page.
#[derive(Debug, Clone, Hash)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TopRef {
    pub doc: DocId,
    pub top_index: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MentionRef {
    pub doc: DocId,
    /// The agenda item whose section or title mentions it, for Niederschriften.
    pub top_index: Option<usize>,
}

#[derive(Debug, Clone, Hash)]
pub struct AnlagePage {
    pub doc: DocId,
    pub slug: String,
    pub parent: Parent,
    /// Index of the agenda item (for Anlagen of a Sitzung with `top`).
    pub top_index: Option<usize>,
    pub nummer: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Parent {
    Vorlage(usize),
    Sitzung(DocId),
}

#[derive(Debug, Clone, Hash)]
pub struct SitzungPage {
    pub doc: DocId,
    pub slug: String,
    pub gremium: usize,
    pub anlagen: Vec<usize>,
}

#[derive(Debug, Clone, Hash)]
pub struct GremiumPage {
    pub name: String,
    pub kuerzel: Option<String>,
    pub slug: String,
    /// Indices into `Site::sitzungen`, newest first.
    pub sitzungen: Vec<usize>,
    /// Persons present in its Sitzungen, with how often.
    pub mitglieder: Vec<(usize, usize)>,
}

#[derive(Debug, Clone, Hash)]
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
    pub documents: Vec<Box<Document>>,
    pub vorlagen: Vec<VorlagePage>,
    pub vorlage_by_nr: FxMap<String, usize>,
    /// Newest first.
    pub sitzungen: Vec<SitzungPage>,
    pub sitzung_by_doc: FxMap<DocId, usize>,
    pub anlagen: Vec<AnlagePage>,
    pub anlage_by_doc: FxMap<DocId, usize>,
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

/// Hash maps and sets for lookups only: nothing iterates them where the order could reach
/// the output. FxHash because the keys are short, trusted strings and numbers.
pub type FxMap<K, V> = HashMap<K, V, FxBuild>;
type FxSet<T> = HashSet<T, FxBuild>;

/// Resolves all cross-references. Problems that concern more than one file (duplicate
/// numbers, an Anlage whose parent does not exist) are reported here.
pub fn link(all: Vec<Box<Document>>, matcher: &NrMatcher) -> (Site, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();

    // 1. What is not published, and what must therefore stay plain text.
    // Owned, because step 3 still needs it after the non-public documents are dropped.
    let mut hidden_vorlagen: FxSet<String> = FxSet::default();
    let mut hidden_sitzungen: FxSet<&str> = FxSet::default();
    for doc in all.iter().filter(|d| !d.public) {
        match &doc.kind {
            Kind::Vorlage(v) => {
                hidden_vorlagen.insert(v.nr.clone());
            }
            Kind::Niederschrift(n) => {
                hidden_sitzungen.insert(&n.nr);
            }
            Kind::Anlage(_) => {}
        }
    }
    // Anlagen of a non-public agenda item: (Sitzung-Nr, TOP). A number used in both parts
    // is ambiguous for an Anlage; it is withheld, because publishing wrongly cannot be undone.
    let mut hidden_tops: FxSet<(&str, &str)> = FxSet::default();
    let mut ambiguous_tops: FxSet<(&str, &str)> = FxSet::default();
    for doc in all.iter().filter(|d| d.public) {
        let Kind::Niederschrift(n) = &doc.kind else {
            continue;
        };
        for t in n.tagesordnung.iter().filter(|t| !t.public) {
            hidden_tops.insert((&n.nr, &t.top));
            if n.tagesordnung.iter().any(|p| p.public && p.top == t.top) {
                ambiguous_tops.insert((&n.nr, &t.top));
            }
        }
    }
    // Decided while the sets above borrow from `all`, applied in place afterwards: moving
    // every document into a new vector cost more than the rest of this step.
    let mut keep: Vec<bool> = Vec::with_capacity(all.len());
    for doc in &all {
        let published = doc.public
            && match &doc.kind {
                Kind::Anlage(a) => {
                    let parent_hidden = hidden_vorlagen.contains(a.zu.as_str())
                        || hidden_sitzungen.contains(a.zu.as_str());
                    match &a.top {
                        _ if parent_hidden => false,
                        Some(top) => {
                            let key = (a.zu.as_str(), top.as_str());
                            if ambiguous_tops.contains(&key) {
                                diagnostics.push(
                                    Diagnostic::warning(&*doc.source.display, 1, format!("TOP {top} gibt es in {} im öffentlichen und im nichtöffentlichen Teil; die Anlage wird sicherheitshalber nicht veröffentlicht.", a.zu))
                                        .with_hint("Nummerieren Sie nichtöffentliche TOPs eindeutig (z. B. `N1`) und geben Sie bei der Anlage diese Nummer an."),
                                );
                            }
                            !hidden_tops.contains(&key)
                        }
                        None => true,
                    }
                }
                _ => true,
            };
        keep.push(published);
    }
    drop((hidden_sitzungen, hidden_tops, ambiguous_tops));
    let mut documents = all;
    let mut keep = keep.into_iter();
    documents.retain(|_| keep.next() == Some(true));

    // 2. Duplicates among published documents.
    let mut vorlage_docs: FxMap<&str, DocId> =
        FxMap::with_capacity_and_hasher(documents.len(), FxBuild::default());
    let mut sitzung_docs: FxMap<&str, DocId> = FxMap::default();
    for (id, doc) in documents.iter().enumerate() {
        let (map, nr, what) = match &doc.kind {
            Kind::Vorlage(v) => (&mut vorlage_docs, &v.nr, "Vorlage"),
            Kind::Niederschrift(n) => (&mut sitzung_docs, &n.nr, "Niederschrift"),
            Kind::Anlage(_) => continue,
        };
        if let Some(&first) = map.get(nr.as_str()) {
            diagnostics.push(
                Diagnostic::error(&*doc.source.display, 1, format!("Die {what} „{nr}“ gibt es doppelt: auch in {}.", documents[first].source.display.display()))
                    .with_hint("Jede Nummer darf nur in einer Datei stehen; löschen oder korrigieren Sie eine der beiden."),
            );
        } else {
            map.insert(nr, id);
        }
    }

    // 3. Every Vorlage-Nr that gets a page.
    // Collected per thread and sorted, not inserted into one set: this runs on every
    // build, a rebuild after one edit included, and a set filled on one thread cost more
    // than the rest of the step.
    let mentioned = named_in(&documents, |doc, found| {
        match &doc.kind {
            Kind::Vorlage(v) => {
                found.push(v.nr.as_str());
                found.extend(v.ursprung.as_deref());
            }
            Kind::Niederschrift(n) => {
                found.extend(
                    n.tagesordnung
                        .iter()
                        .filter(|t| t.public)
                        .filter_map(|t| t.vorlage.as_deref()),
                );
            }
            Kind::Anlage(_) => {}
        }
        found.extend(doc.scan.mentions.iter().map(|m| m.nr.as_str()));
        found.extend(doc.frontmatter_mentions.iter().map(|m| m.nr.as_str()));
    });
    // One level only: the parent of a parent gets a page only if something names it.
    let parents: Vec<String> = mentioned
        .par_iter()
        .filter_map(|nr| matcher.parent(nr))
        .collect();
    let mut numbers: Vec<&str> = mentioned
        .into_iter()
        .chain(parents.iter().map(String::as_str))
        .filter(|nr| !hidden_vorlagen.contains(*nr))
        .collect();
    // In byte order, so that a slug clash is resolved the same way every time.
    crate::order::sort_unique(&mut numbers);

    let mut vorlagen: Vec<VorlagePage> = Vec::with_capacity(numbers.len());
    let mut vorlage_by_nr: FxMap<String, usize> =
        FxMap::with_capacity_and_hasher(numbers.len(), FxBuild::default());
    // The same index as `vorlage_by_nr`, borrowed and cheaper to ask while linking.
    let mut page_by_nr: FxMap<&str, usize> =
        FxMap::with_capacity_and_hasher(numbers.len(), FxBuild::default());
    // Slugs first, so that the clash check can borrow them before they move into the pages.
    let slugged: Vec<(&str, String)> = numbers.par_iter().map(|nr| (*nr, slugify(nr))).collect();
    let mut free: Vec<bool> = Vec::with_capacity(slugged.len());
    let mut slug_owner: FxMap<&str, &str> =
        FxMap::with_capacity_and_hasher(slugged.len(), FxBuild::default());
    for (nr, slug) in &slugged {
        if let Some(other) = slug_owner.get(slug.as_str()) {
            diagnostics.push(Diagnostic::error(
                "book.toml",
                0,
                format!("Die Vorlage-Nummern „{other}“ und „{nr}“ ergeben dieselbe Adresse vorlagen/{slug}/."),
            ).with_hint("Vereinheitlichen Sie die Schreibweise einer der beiden Nummern."));
            free.push(false);
        } else {
            slug_owner.insert(slug, nr);
            free.push(true);
        }
    }
    drop(slug_owner);
    page_by_nr.extend(
        slugged
            .iter()
            .zip(&free)
            .filter(|(_, free)| **free)
            .enumerate()
            .map(|(index, ((nr, _), _))| (*nr, index)),
    );
    // The pages in parallel (in order): each allocates its number and title.
    vorlagen.par_extend(
        slugged
            .into_par_iter()
            .zip(free)
            .filter(|(_, free)| *free)
            .map(|((nr, slug), _)| {
                let doc = vorlage_docs.get(nr).copied();
                VorlagePage {
                    titel: doc.map(|d| documents[d].titel.clone()).unwrap_or_default(),
                    datum: doc.map(|d| documents[d].datum),
                    nr: nr.to_string(),
                    slug,
                    doc,
                    ursprung: None,
                    ergaenzungen: Vec::new(),
                    beratungen: Vec::new(),
                    erwaehnungen: Vec::new(),
                    anlagen: Vec::new(),
                }
            }),
    );
    for (index, page) in vorlagen.iter().enumerate() {
        vorlage_by_nr.insert(page.nr.clone(), index);
    }

    // 4. Ursprung and Ergänzungen.
    for i in 0..vorlagen.len() {
        let explicit = vorlagen[i].doc.and_then(|d| match &documents[d].kind {
            Kind::Vorlage(v) => v.ursprung.as_deref(),
            _ => None,
        });
        let parent = match explicit {
            Some(p) => page_by_nr.get(p).copied(),
            None => matcher
                .parent(&vorlagen[i].nr)
                .and_then(|p| page_by_nr.get(p.as_str()).copied()),
        };
        if let Some(p) = parent {
            if p != i {
                vorlagen[i].ursprung = Some(p);
                vorlagen[p].ergaenzungen.push(i);
            }
        }
    }

    // 5. Sitzungen and Gremien.
    let mut sitzung_ids: Vec<(&str, DocId)> =
        sitzung_docs.iter().map(|(nr, id)| (*nr, *id)).collect();
    // Newest first; equal dates and paths in number order.
    sitzung_ids.sort_unstable_by(|(a_nr, a), (b_nr, b)| {
        (documents[*b].datum, &documents[*b].source.rel)
            .cmp(&(documents[*a].datum, &documents[*a].source.rel))
            .then_with(|| a_nr.cmp(b_nr))
    });
    // The Gremien of every Beratungsfolge, found in parallel and made unique before they go
    // into the tree: there are as many Beratungen as Vorlagen, and a handful of Gremien.
    let beratende = named_in(&documents, |doc, found| {
        if let Kind::Vorlage(v) = &doc.kind {
            found.extend(v.beratungsfolge.iter().map(|b| b.gremium.as_str()));
        }
    });
    let mut gremium_names: BTreeMap<&str, Option<&str>> = BTreeMap::new();
    for doc in &documents {
        if let Kind::Niederschrift(n) = &doc.kind {
            let entry = gremium_names.entry(&n.gremium).or_default();
            if entry.is_none() {
                *entry = n.gremium_kuerzel.as_deref();
            }
        }
    }
    for name in beratende {
        gremium_names.entry(name).or_default();
    }
    let gremium_index: FxMap<&str, usize> = gremium_names
        .keys()
        .enumerate()
        .map(|(i, name)| (*name, i))
        .collect();
    let mut gremien: Vec<GremiumPage> = gremium_names
        .into_iter()
        .map(|(name, kuerzel)| GremiumPage {
            slug: slugify(name),
            name: name.to_string(),
            kuerzel: kuerzel.map(str::to_string),
            sitzungen: Vec::new(),
            mitglieder: Vec::new(),
        })
        .collect();
    let mut sitzungen: Vec<SitzungPage> = Vec::with_capacity(sitzung_ids.len());
    let mut sitzung_by_doc = FxMap::with_capacity_and_hasher(sitzung_ids.len(), FxBuild::default());
    for (_, doc_id) in sitzung_ids {
        let Kind::Niederschrift(n) = &documents[doc_id].kind else {
            continue;
        };
        let gremium = gremium_index[n.gremium.as_str()];
        gremien[gremium].sitzungen.push(sitzungen.len());
        sitzung_by_doc.insert(doc_id, sitzungen.len());
        sitzungen.push(SitzungPage {
            doc: doc_id,
            slug: slugify(&n.nr),
            gremium,
            anlagen: Vec::new(),
        });
    }

    // 6. Beratungsverlauf and mentions, each Vorlage's lists by date.
    // Found and sorted in parallel, then handed out to the Vorlagen at their final size:
    // pushing them one by one into 100,000 lists was the longest step of a rebuild's link.
    let date_of = |doc: DocId| documents[doc].datum;
    let beratungen: Vec<(usize, TopRef)> = sitzungen
        .par_iter()
        .flat_map_iter(|sitzung| {
            let tops = match &documents[sitzung.doc].kind {
                Kind::Niederschrift(n) => n.tagesordnung.as_slice(),
                _ => &[],
            };
            let page_by_nr = &page_by_nr;
            tops.iter()
                .enumerate()
                .filter(|(_, top)| top.public)
                .filter_map(move |(top_index, top)| {
                    let v = *page_by_nr.get(top.vorlage.as_deref()?)?;
                    Some((
                        v,
                        TopRef {
                            doc: sitzung.doc,
                            top_index,
                        },
                    ))
                })
        })
        .collect();
    hand_out(
        &mut vorlagen,
        beratungen,
        |r| (date_of(r.doc), r.doc, r.top_index),
        |page, list| page.beratungen = list,
    );
    let mentions: Vec<(usize, MentionRef)> = documents
        .par_iter()
        .enumerate()
        .flat_map_iter(|(doc_id, doc)| {
            let own = match &doc.kind {
                Kind::Vorlage(v) => Some(v.nr.as_str()),
                _ => None,
            };
            let mut seen: FxSet<(usize, Option<usize>)> = FxSet::default();
            let body = doc
                .scan
                .mentions
                .iter()
                .map(|m| (&m.nr, m.section.map(|s| doc.scan.sections[s].top_index)));
            let front = doc
                .frontmatter_mentions
                .iter()
                .map(|m| (&m.nr, m.top_index));
            let mut found = Vec::new();
            for (nr, top_index) in body.chain(front) {
                if Some(nr.as_str()) == own {
                    continue;
                }
                let Some(&v) = page_by_nr.get(nr.as_str()) else {
                    continue;
                };
                // An agenda item's own Vorlage is already in the Beratungsverlauf.
                let is_beratung = top_index.is_some_and(|t| match &doc.kind {
                    Kind::Niederschrift(n) => {
                        n.tagesordnung[t].vorlage.as_deref() == Some(nr.as_str())
                    }
                    _ => false,
                });
                if is_beratung || !seen.insert((v, top_index)) {
                    continue;
                }
                found.push((
                    v,
                    MentionRef {
                        doc: doc_id,
                        top_index,
                    },
                ));
            }
            found
        })
        .collect();
    hand_out(
        &mut vorlagen,
        mentions,
        |m| (date_of(m.doc), m.doc, m.top_index),
        |page, list| page.erwaehnungen = list,
    );

    // 7. Anlagen.
    let mut anlagen: Vec<AnlagePage> = Vec::new();
    let mut anlage_by_doc = FxMap::default();
    let mut anlage_slugs: FxMap<String, DocId> = FxMap::default();
    let mut sibling_count: FxMap<(&str, Option<&str>), usize> = FxMap::default();
    // Attached to their parent pages after the loop, so that the parents' slugs can be
    // borrowed while it runs.
    let mut attached: Vec<(Parent, usize)> = Vec::new();
    for (doc_id, doc) in documents.iter().enumerate() {
        let Kind::Anlage(a) = &doc.kind else { continue };
        let (parent, parent_slug, top_index) = if let Some(&s) = sitzung_docs.get(a.zu.as_str()) {
            let n = match &documents[s].kind {
                Kind::Niederschrift(n) => n,
                _ => continue,
            };
            let top_index = match &a.top {
                Some(t) => {
                    let found = n.tagesordnung.iter().position(|x| x.public && &x.top == t);
                    if found.is_none() {
                        diagnostics.push(Diagnostic::error(&*doc.source.display, 1, format!("`top: {t}`: die Sitzung {} hat keinen öffentlichen TOP {t}.", n.nr))
                            .with_hint("Geben Sie eine TOP-Nummer aus der `tagesordnung` der Niederschrift an."));
                        continue;
                    }
                    found
                }
                None => None,
            };
            // Every published Niederschrift has a Sitzung page with the slug of its number.
            let page = &sitzungen[sitzung_by_doc[&s]];
            (Parent::Sitzung(s), page.slug.as_str(), top_index)
        } else if let Some(&v) = page_by_nr.get(a.zu.as_str()) {
            (Parent::Vorlage(v), vorlagen[v].slug.as_str(), None)
        } else {
            diagnostics.push(
                Diagnostic::error(&*doc.source.display, 1, format!("`zu: {}` nennt keine Vorlage und keine Niederschrift des Korpus.", a.zu))
                    .with_hint("`zu` muss genau die `nr` einer Vorlage oder Niederschrift sein (z. B. `zu: ASID/07/WP18`)."),
            );
            continue;
        };
        let count = sibling_count
            .entry((parent_slug, a.top.as_deref()))
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
                    &*doc.source.display,
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
        attached.push((parent, index));
        anlage_by_doc.insert(doc_id, index);
        anlagen.push(AnlagePage {
            doc: doc_id,
            slug,
            parent,
            top_index,
            nummer,
        });
    }
    drop(sibling_count);
    for (parent, index) in attached {
        match parent {
            Parent::Sitzung(s) => sitzungen[sitzung_by_doc[&s]].anlagen.push(index),
            Parent::Vorlage(v) => vorlagen[v].anlagen.push(index),
        }
    }
    // Computed once per Anlage instead of twice per comparison.
    let anlage_keys: Vec<(Option<usize>, NaturalKey)> = anlagen
        .iter()
        .map(|a| (a.top_index, natural_key(&a.nummer)))
        .collect();
    let anlage_order = |a: &usize, b: &usize| anlage_keys[*a].cmp(&anlage_keys[*b]);
    for s in &mut sitzungen {
        s.anlagen.sort_by(anlage_order);
    }
    for v in &mut vorlagen {
        v.anlagen.sort_by(anlage_order);
    }

    // 8. Titles and dates of Vorlagen known only from other documents.
    for v in &mut vorlagen {
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
    let mut person_index: FxMap<String, usize> = FxMap::default();
    let mut personen: Vec<PersonPage> = Vec::new();
    let mut mitglieder: Vec<FxMap<usize, usize>> = vec![FxMap::default(); gremien.len()];
    let mut local: Vec<usize> = Vec::new();
    for (si, sitzung) in sitzungen.iter().enumerate() {
        let doc = &documents[sitzung.doc];
        let Kind::Niederschrift(n) = &doc.kind else {
            continue;
        };
        local.clear();
        for (role, person) in n.persons() {
            // Most names are written with single spaces already: looked up as they are,
            // without a new string for each of the 150,000 attendances of a large archive.
            let key = match person.name.as_str() {
                name if is_collapsed(name) => std::borrow::Cow::Borrowed(name),
                _ => std::borrow::Cow::Owned(person.key()),
            };
            let index = match person_index.get(key.as_ref()) {
                Some(&index) => index,
                None => {
                    let key = key.into_owned();
                    person_index.insert(key.clone(), personen.len());
                    personen.push(PersonPage {
                        name: key,
                        anrede: person.anrede.clone(),
                        slug: String::new(),
                        auftritte: Vec::new(),
                        genannt: Vec::new(),
                    });
                    personen.len() - 1
                }
            };
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
                    // Entries of this Sitzung are the tail of the list: earlier Sitzungen
                    // cannot hold `r`, so there is no need to search them.
                    let genannt = &mut personen[person].genannt;
                    let known = genannt
                        .iter()
                        .rev()
                        .take_while(|g| g.doc == sitzung.doc)
                        .any(|g| *g == r);
                    if !known {
                        genannt.push(r);
                    }
                }
            }
        }
    }
    drop(person_index);
    // Slugs in name order, so that a clash is resolved the same way every time.
    let mut by_name: Vec<usize> = (0..personen.len()).collect();
    by_name.sort_unstable_by(|a, b| personen[*a].name.cmp(&personen[*b].name));
    let mut used: FxSet<String> =
        FxSet::with_capacity_and_hasher(personen.len(), FxBuild::default());
    for index in by_name {
        let base = slugify(&personen[index].name);
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
        personen[index].slug = slug;
    }
    for (g, members) in mitglieder.into_iter().enumerate() {
        let mut list: Vec<(usize, usize)> = members.into_iter().collect();
        // Names are unique, so this order is total and the map's order does not matter.
        list.sort_unstable_by(|a, b| {
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

/// The strings `each` finds in the documents, in byte order without repeats: found per
/// thread and sorted, not inserted into one set (see step 3 of [`link`]).
fn named_in<'a>(
    documents: &'a [Box<Document>],
    each: impl Fn(&'a Document, &mut Vec<&'a str>) + Sync,
) -> Vec<&'a str> {
    let mut found = documents
        .par_iter()
        .fold(Vec::new, |mut found, doc| {
            each(doc, &mut found);
            found
        })
        .reduce(Vec::new, |mut all, mut more| {
            all.append(&mut more);
            all
        });
    crate::order::sort_unique(&mut found);
    found
}

/// Whether `name` is its own [`Person::key`](crate::model::Person::key): words separated by
/// single spaces, nothing before or after.
fn is_collapsed(name: &str) -> bool {
    !name.starts_with(' ')
        && !name.ends_with(' ')
        && !name.contains("  ")
        && !name.chars().any(|c| c.is_whitespace() && c != ' ')
}

/// Gives each Vorlage its entries of `pairs` (index of the Vorlage, entry), ordered by
/// `key`, through `set`. The key must tell apart any two entries of one Vorlage, so that
/// the order does not depend on how the pairs were found. It is computed once per entry:
/// a key read from the documents during the sort cost more than the rest of the step.
fn hand_out<T, K>(
    vorlagen: &mut [VorlagePage],
    pairs: Vec<(usize, T)>,
    key: impl Fn(&T) -> K + Sync,
    set: impl Fn(&mut VorlagePage, Vec<T>) + Sync,
) where
    T: Clone + Send + Sync,
    K: Ord + Send + Sync,
{
    let mut keyed: Vec<(usize, K, T)> = pairs
        .into_par_iter()
        .map(|(v, t)| (v, key(&t), t))
        .collect();
    keyed.par_sort_unstable_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    vorlagen
        .par_iter_mut()
        .enumerate()
        .for_each(|(index, page)| {
            let start = keyed.partition_point(|(v, _, _)| *v < index);
            let end = start + keyed[start..].partition_point(|(v, _, _)| *v == index);
            if start < end {
                set(
                    page,
                    keyed[start..end]
                        .iter()
                        .map(|(_, _, t)| t.clone())
                        .collect(),
                );
            }
        });
}

/// What [`natural_key`] returns.
type NaturalKey = Vec<(u64, String)>;

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
    use super::{is_collapsed, natural_key};

    #[test]
    fn a_name_is_collapsed_exactly_when_it_is_its_own_key() {
        for name in [
            "Anna Müller",
            "Dr. Hans Leo Deumens",
            "Müller",
            "",
            " Anna Müller",
            "Anna Müller ",
            "Anna  Müller",
            "Anna\tMüller",
            "Anna\u{a0}Müller",
            "Anna\nMüller",
            " ",
        ] {
            let key = crate::model::Person {
                name: name.to_string(),
                ..Default::default()
            }
            .key();
            assert_eq!(is_collapsed(name), key == name, "{name:?}");
        }
    }

    #[test]
    fn natural_order() {
        let mut v = vec!["10", "2", "5.1", "5", "1"];
        v.sort_by_key(|s| natural_key(s));
        assert_eq!(v, vec!["1", "2", "5", "5.1", "10"]);
    }
}
