//! Fingerprints of pages: a hash of everything a page's bytes are made from, so that a
//! rebuild renders only the pages whose fingerprint changed and keeps the others as they
//! are on disk (`Staging::keep_derived`).
//!
//! A page is made from three kinds of input:
//! - what every page may read (`global`): the program, the settings, the templates and
//!   assets, and the *shape* of the site — every document's path and every page's slug in
//!   order, and the names that are looked up (Vorlage-Nrs, Gremien, persons). Ids into the
//!   site's lists are stable while the shape is, and a number or name resolves to the same
//!   page. Adding, removing or renaming anything changes it, and every page is rendered.
//! - the documents it reads, by their file's path and stamp (the body is read again from
//!   disk while rendering, and a file with the same stamp is the same file, as for the parse
//!   cache);
//! - the linked entries it shows (its own Vorlage with its Beratungen and mentions, the
//!   links to other pages), hashed as they are after linking.
//!
//! `Fingerprints::page` lists, per kind of page, the same reads as the context builders in
//! `pages.rs`; a read missing here would leave a page stale. Tests therefore build with
//! `PORTAL_VERIFY_SKIPPED=1`, which renders every skipped page anyway and fails the build
//! when one of them would have changed (see `render_site`).

use std::hash::{Hash, Hasher};

use rayon::prelude::*;
use xxhash_rust::xxh3::Xxh3Default;

use crate::link::{Parent, Site};

use super::pages::{Job, Lists, PAGE_SIZE};
use super::RenderContext;

/// XXH3, a hash made for checksums (it passes SMHasher's quality tests): a page is skipped
/// when its fingerprint is equal, so a hash-table hash like FxHash would risk stale pages.
/// It replaced SipHash, which took a tenth of a rebuild's CPU time after one edit: every
/// build fingerprints all 130,000 pages of a large archive.
fn hasher() -> Xxh3Default {
    Xxh3Default::new()
}

fn hash_of(value: &impl Hash) -> u64 {
    let mut h = hasher();
    value.hash(&mut h);
    h.finish()
}

pub struct Fingerprints {
    global: u64,
    /// Per document: its path and file stamp.
    doc: Vec<u64>,
    /// What a link to each page shows (title, date, slug, and the documents behind them).
    vorlage_link: Vec<u64>,
    sitzung_link: Vec<u64>,
    anlage_link: Vec<u64>,
    person_link: Vec<u64>,
}

impl Fingerprints {
    /// The fingerprints' parts for this build: linear in the site, computed in parallel.
    pub fn new(rc: &RenderContext, templates: u64) -> Fingerprints {
        let site = rc.site;
        // A file without a stamp (it could not be stat'ed), or changed so recently that it
        // may change again within the same tick of the file system's clock without its
        // stamp moving (see the parse cache), gets a hash no build has seen: its pages are
        // rendered now and in the next build.
        let unknown = std::hash::BuildHasher::hash_one(&std::hash::RandomState::new(), 0u8);
        let now_ns = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let settled = |ns: u128| ns.saturating_add(crate::parse::cache::RACY_NS) < now_ns;
        let doc: Vec<u64> = site
            .documents
            .par_iter()
            .map(|d| {
                let stamp = d.source.stamp;
                if stamp != crate::load::FileStamp::default()
                    && settled(stamp.modified_ns)
                    && settled(stamp.changed_ns)
                {
                    hash_of(&(&d.source.rel, stamp))
                } else {
                    unknown
                }
            })
            .collect();
        let gremium_link: Vec<u64> = site
            .gremien
            .iter()
            .map(|g| hash_of(&(&g.name, &g.kuerzel, &g.slug)))
            .collect();
        let vorlage_link = site
            .vorlagen
            .par_iter()
            .map(|v| hash_of(&(&v.nr, &v.titel, &v.slug, v.datum, v.doc.map(|d| doc[d]))))
            .collect();
        let sitzung_link = site
            .sitzungen
            .par_iter()
            .map(|s| hash_of(&(&s.slug, doc[s.doc], gremium_link[s.gremium])))
            .collect();
        let anlage_link = site
            .anlagen
            .par_iter()
            .map(|a| {
                let parent = match a.parent {
                    Parent::Sitzung(d) => doc[d],
                    Parent::Vorlage(v) => hash_of(&v),
                };
                hash_of(&(&a.slug, &a.nummer, parent, a.top_index, doc[a.doc]))
            })
            .collect();
        let person_link = site
            .personen
            .iter()
            .map(|p| hash_of(&(&p.name, &p.anrede, &p.slug)))
            .collect();
        Fingerprints {
            global: global(rc, &gremium_link, templates),
            doc,
            vorlage_link,
            sitzung_link,
            anlage_link,
            person_link,
        }
    }

    /// The fingerprint of a page, or `None` for the few pages that summarise the whole
    /// site (Startseite, the overviews): they are always rendered.
    pub fn page(&self, rc: &RenderContext, lists: &Lists, job: &Job) -> Option<u64> {
        let site = rc.site;
        let mut h = hasher();
        self.global.hash(&mut h);
        std::mem::discriminant(job).hash(&mut h);
        match job {
            Job::Index
            | Job::Sitzungen
            | Job::Vorlagen
            | Job::Gremien
            | Job::Suche
            | Job::Impressum
            | Job::Barrierefreiheit
            | Job::LeichteSprache
            | Job::NotFound => return None,
            Job::SitzungenJahr(year) => {
                year.hash(&mut h);
                // The list of years, and every Sitzung of this one.
                for (y, list) in &lists.sitzungen_by_year {
                    y.hash(&mut h);
                    if y == year {
                        for si in list {
                            self.sitzung_link[*si].hash(&mut h);
                        }
                    }
                }
            }
            Job::VorlagenJahr(year, page) => {
                (year, page).hash(&mut h);
                let list = lists.vorlagen_by_year.get(year).map(Vec::as_slice);
                let list = list.unwrap_or_default();
                list.len().hash(&mut h);
                for vi in list.iter().skip((page - 1) * PAGE_SIZE).take(PAGE_SIZE) {
                    self.vorlage_link[*vi].hash(&mut h);
                }
            }
            Job::Sitzung(i) => {
                let s = &site.sitzungen[*i];
                (i, s).hash(&mut h);
                self.doc[s.doc].hash(&mut h);
                for a in &s.anlagen {
                    self.anlage_link[*a].hash(&mut h);
                }
            }
            Job::Vorlage(i) => {
                let v = &site.vorlagen[*i];
                (i, v).hash(&mut h);
                self.vorlage_link[*i].hash(&mut h);
                for r in &v.beratungen {
                    self.doc[r.doc].hash(&mut h);
                    self.sitzung_link[site.sitzung_by_doc[&r.doc]].hash(&mut h);
                }
                for m in &v.erwaehnungen {
                    self.doc[m.doc].hash(&mut h);
                }
                for a in &v.anlagen {
                    self.anlage_link[*a].hash(&mut h);
                }
                for u in v.ursprung.iter().chain(&v.ergaenzungen) {
                    self.vorlage_link[*u].hash(&mut h);
                }
            }
            Job::Anlage(i) => {
                let a = &site.anlagen[*i];
                (i, a).hash(&mut h);
                self.anlage_link[*i].hash(&mut h);
                match a.parent {
                    Parent::Sitzung(d) => self.sitzung_link[site.sitzung_by_doc[&d]].hash(&mut h),
                    Parent::Vorlage(v) => self.vorlage_link[v].hash(&mut h),
                }
                // The size of the original file is shown.
                if let crate::model::Kind::Anlage(anlage) = &site.documents[a.doc].kind {
                    if let Some(datei) = &anlage.datei {
                        let stamp = crate::load::FileStamp::of(&rc.config.content_dir.join(datei));
                        stamp?.hash(&mut h);
                    }
                }
            }
            Job::Gremium(i) => {
                let g = &site.gremien[*i];
                (i, g).hash(&mut h);
                for si in &g.sitzungen {
                    self.sitzung_link[*si].hash(&mut h);
                }
                for (p, _) in &g.mitglieder {
                    self.person_link[*p].hash(&mut h);
                }
            }
            Job::Personen(page) => {
                page.hash(&mut h);
                lists.personen_sorted.len().hash(&mut h);
                let rows = lists.personen_sorted.iter().skip((page - 1) * PAGE_SIZE);
                for p in rows.take(PAGE_SIZE) {
                    self.person_link[*p].hash(&mut h);
                    site.personen[*p].auftritte.len().hash(&mut h);
                }
            }
            Job::Person(i, page) => {
                let p = &site.personen[*i];
                (i, page, p).hash(&mut h);
                let rows = p.auftritte.iter().skip((page - 1) * PAGE_SIZE);
                for (si, _, _) in rows.take(PAGE_SIZE) {
                    self.sitzung_link[*si].hash(&mut h);
                }
                let named = p.genannt.iter().skip((page - 1) * PAGE_SIZE);
                for r in named.take(PAGE_SIZE) {
                    self.doc[r.doc].hash(&mut h);
                    self.sitzung_link[site.sitzung_by_doc[&r.doc]].hash(&mut h);
                }
            }
        }
        Some(h.finish())
    }
}

/// What every page may read: the program, the settings, templates and assets, and the shape
/// of the site (see the module's comment).
fn global(rc: &RenderContext, gremium_link: &[u64], templates: u64) -> u64 {
    let site: &Site = rc.site;
    let mut h = hasher();
    env!("CARGO_PKG_VERSION").hash(&mut h);
    // A rebuilt program may render differently under the same version number.
    std::env::current_exe()
        .ok()
        .and_then(|exe| crate::load::FileStamp::of(&exe))
        .hash(&mut h);
    format!("{:?}", rc.config).hash(&mut h);
    templates.hash(&mut h);
    for asset in &rc.assets {
        asset.path.hash(&mut h);
    }
    rc.base_path.hash(&mut h);
    // The shape: ids, slugs and the names that are looked up.
    shape(&site.documents, |d, h| d.source.rel.hash(h)).hash(&mut h);
    shape(&site.vorlagen, |v, h| (&v.nr, &v.slug, v.doc).hash(h)).hash(&mut h);
    shape(&site.sitzungen, |s, h| (s.doc, &s.slug, s.gremium).hash(h)).hash(&mut h);
    shape(&site.anlagen, |a, h| (a.doc, &a.slug).hash(h)).hash(&mut h);
    gremium_link.hash(&mut h);
    shape(&site.personen, |p, h| (&p.name, &p.slug).hash(h)).hash(&mut h);
    h.finish()
}

/// The hashes of `items` in runs of a fixed length, hashed in parallel: every build hashes
/// the whole site's shape, a rebuild after one edit included. The runs do not depend on
/// the number of threads, so neither does the result.
fn shape<T: Sync>(items: &[T], hash: impl Fn(&T, &mut Xxh3Default) + Sync) -> Vec<u64> {
    items
        .par_chunks(4096)
        .map(|run| {
            let mut h = hasher();
            run.len().hash(&mut h);
            for item in run {
                hash(item, &mut h);
            }
            h.finish()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::hash_of;

    #[test]
    fn fingerprints_tell_apart_what_a_weak_hash_would_not() {
        assert_ne!(hash_of(&("ab", "c")), hash_of(&("a", "bc")));
        assert_ne!(hash_of(&(Some(1u64), 2u64)), hash_of(&(None::<u64>, 2u64)));
    }
}
