//! What each page shows: one job per page, each turned into a template context.
//!
//! Contexts are built per page from the linked site and hold only what that page shows,
//! so no page carries data that grows with the size of the whole site: long lists are
//! split by year and into numbered pages.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde_json::{json, Value};

use crate::link::{AnlagePage, DocId, Parent, Site};
use crate::model::{Date, Kind, Person, Role};

use super::html;
use super::markdown::{self, BodyOptions, Linker, SectionAnchors};
use super::RenderContext;

/// Rows per page of a long list.
pub const PAGE_SIZE: usize = 250;

/// One page of the site.
#[derive(Debug, Clone)]
pub enum Job {
    Index,
    Sitzungen,
    SitzungenJahr(i32),
    Sitzung(usize),
    Vorlagen,
    /// (year or None for undated, page number from 1)
    VorlagenJahr(Option<i32>, usize),
    Vorlage(usize),
    Anlage(usize),
    Gremien,
    Gremium(usize),
    Personen(usize),
    /// (person, page number from 1): a long-serving member's Sitzungen fill several pages.
    Person(usize, usize),
    Suche,
    Impressum,
    Barrierefreiheit,
    LeichteSprache,
    NotFound,
}

/// Sitzungen by year (newest year first) and Vorlagen by year, computed once per build.
pub struct Lists {
    pub sitzungen_by_year: BTreeMap<i32, Vec<usize>>,
    pub vorlagen_by_year: BTreeMap<Option<i32>, Vec<usize>>,
    pub personen_sorted: Vec<usize>,
}

impl Lists {
    pub fn new(site: &Site) -> Lists {
        let mut sitzungen_by_year: BTreeMap<i32, Vec<usize>> = BTreeMap::new();
        for (i, s) in site.sitzungen.iter().enumerate() {
            sitzungen_by_year
                .entry(site.documents[s.doc].datum.year)
                .or_default()
                .push(i);
        }
        let mut vorlagen_by_year: BTreeMap<Option<i32>, Vec<usize>> = BTreeMap::new();
        for (i, v) in site.vorlagen.iter().enumerate() {
            vorlagen_by_year
                .entry(v.datum.map(|d| d.year))
                .or_default()
                .push(i);
        }
        // Years in parallel: every build makes these lists, and a rebuild after one edit
        // waits for them.
        vorlagen_by_year.par_iter_mut().for_each(|(_, list)| {
            list.sort_by(|a, b| {
                let (x, y) = (&site.vorlagen[*a], &site.vorlagen[*b]);
                (y.datum, &y.nr).cmp(&(x.datum, &x.nr))
            });
        });
        let mut personen_sorted: Vec<usize> = (0..site.personen.len()).collect();
        personen_sorted.sort_by_cached_key(|p| sort_name(&site.personen[*p].name));
        Lists {
            sitzungen_by_year,
            vorlagen_by_year,
            personen_sorted,
        }
    }

    pub fn jobs(&self, site: &Site, search: bool) -> Vec<Job> {
        let mut jobs = vec![
            Job::Index,
            Job::Sitzungen,
            Job::Vorlagen,
            Job::Gremien,
            Job::Suche,
            Job::Impressum,
            Job::Barrierefreiheit,
            Job::LeichteSprache,
            Job::NotFound,
        ];
        jobs.extend(
            self.sitzungen_by_year
                .keys()
                .map(|y| Job::SitzungenJahr(*y)),
        );
        jobs.extend((0..site.sitzungen.len()).map(Job::Sitzung));
        for (year, list) in &self.vorlagen_by_year {
            let pages = list.len().div_ceil(PAGE_SIZE).max(1);
            jobs.extend((1..=pages).map(|p| Job::VorlagenJahr(*year, p)));
        }
        jobs.extend((0..site.vorlagen.len()).map(Job::Vorlage));
        jobs.extend((0..site.anlagen.len()).map(Job::Anlage));
        jobs.extend((0..site.gremien.len()).map(Job::Gremium));
        let register_pages = self.personen_sorted.len().div_ceil(PAGE_SIZE).max(1);
        jobs.extend((1..=register_pages).map(Job::Personen));
        for (i, person) in site.personen.iter().enumerate() {
            jobs.extend((1..=person_pages(person)).map(|page| Job::Person(i, page)));
        }
        if !search {
            jobs.retain(|j| !matches!(j, Job::Suche));
        }
        jobs
    }
}

/// Surname first, so that the list of persons reads like a register; umlauts sort like
/// their base letters (DIN 5007-1: Köbernik before Krott).
fn sort_name(name: &str) -> String {
    let mut words: Vec<&str> = name.split_whitespace().collect();
    let last = words.pop().unwrap_or("");
    format!("{} {}", last, words.join(" "))
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'ä' => 'a',
            'ö' => 'o',
            'ü' => 'u',
            _ => c,
        })
        .collect::<String>()
        .replace('ß', "ss")
}

fn year_key(year: Option<i32>) -> String {
    year.map(|y| y.to_string())
        .unwrap_or_else(|| "ohne-datum".to_string())
}

/// Pages of a person: `PAGE_SIZE` Sitzungen and `PAGE_SIZE` mentions each, so that no
/// page grows with the years someone serves.
fn person_pages(person: &crate::link::PersonPage) -> usize {
    person
        .auftritte
        .len()
        .max(person.genannt.len())
        .div_ceil(PAGE_SIZE)
        .max(1)
}

fn paged(base: &str, page: usize) -> String {
    if page <= 1 {
        base.to_string()
    } else {
        format!("{base}seite-{page}/")
    }
}

/// The site path of a job (`""` for the Startseite; folders end with `/`).
pub fn path(site: &Site, job: &Job) -> String {
    match job {
        Job::Index => String::new(),
        Job::Sitzungen => "sitzungen/".into(),
        Job::SitzungenJahr(y) => format!("sitzungen/jahr/{y}/"),
        Job::Sitzung(i) => format!("sitzungen/{}/", site.sitzungen[*i].slug),
        Job::Vorlagen => "vorlagen/".into(),
        Job::VorlagenJahr(y, p) => paged(&format!("vorlagen/jahr/{}/", year_key(*y)), *p),
        Job::Vorlage(i) => format!("vorlagen/{}/", site.vorlagen[*i].slug),
        Job::Anlage(i) => format!("anlagen/{}/", site.anlagen[*i].slug),
        Job::Gremien => "gremien/".into(),
        Job::Gremium(i) => format!("gremien/{}/", site.gremien[*i].slug),
        Job::Personen(p) => paged("personen/", *p),
        Job::Person(i, page) => paged(&format!("personen/{}/", site.personen[*i].slug), *page),
        Job::Suche => "suche/".into(),
        Job::Impressum => "impressum/".into(),
        Job::Barrierefreiheit => "barrierefreiheit/".into(),
        Job::LeichteSprache => "leichte-sprache/".into(),
        Job::NotFound => "404.html".into(),
    }
}

/// `../../` for `a/b/`, `` for the Startseite.
pub fn root_for(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// The template and context of one page.
/// With `index`, the page's records go into the search index.
pub fn context(
    rc: &RenderContext,
    lists: &Lists,
    job: &Job,
    path: &str,
    index: bool,
) -> (&'static str, Value) {
    let root = match job {
        // The 404 page is served for any missing address, at any depth: it needs absolute links.
        Job::NotFound => rc.base_path.clone(),
        _ => root_for(path),
    };
    let b = Builder {
        rc,
        site: rc.site,
        root: &root,
        index,
    };
    let (template, title, crumbs, mut page) = match job {
        Job::Index => ("index.html", rc.config.title.clone(), vec![], b.index()),
        Job::Sitzungen => (
            "sitzungen.html",
            "Sitzungen".into(),
            vec![],
            b.sitzungen(lists),
        ),
        Job::SitzungenJahr(y) => (
            "sitzungen_jahr.html",
            format!("Sitzungen {y}"),
            vec![b.crumb("Sitzungen", "sitzungen/")],
            b.sitzungen_jahr(lists, *y),
        ),
        Job::Sitzung(i) => {
            let (title, value) = b.sitzung(*i);
            let year = rc.site.documents[rc.site.sitzungen[*i].doc].datum.year;
            (
                "sitzung.html",
                title,
                vec![
                    b.crumb("Sitzungen", "sitzungen/"),
                    b.crumb(&year.to_string(), &format!("sitzungen/jahr/{year}/")),
                ],
                value,
            )
        }
        Job::Vorlagen => (
            "vorlagen.html",
            "Vorlagen".into(),
            vec![],
            b.vorlagen(lists),
        ),
        Job::VorlagenJahr(y, p) => {
            let label = y
                .map(|y| y.to_string())
                .unwrap_or_else(|| "ohne Datum".into());
            let title = if *p > 1 {
                format!("Vorlagen {label}, Seite {p}")
            } else {
                format!("Vorlagen {label}")
            };
            (
                "vorlagen_jahr.html",
                title,
                vec![b.crumb("Vorlagen", "vorlagen/")],
                b.vorlagen_jahr(lists, *y, *p),
            )
        }
        Job::Vorlage(i) => {
            let v = &rc.site.vorlagen[*i];
            let year = v.datum.map(|d| d.year);
            (
                "vorlage.html",
                format!("Vorlage {}", v.nr),
                vec![
                    b.crumb("Vorlagen", "vorlagen/"),
                    b.crumb(
                        &year
                            .map(|y| y.to_string())
                            .unwrap_or_else(|| "ohne Datum".into()),
                        &format!("vorlagen/jahr/{}/", year_key(year)),
                    ),
                ],
                b.vorlage(*i),
            )
        }
        Job::Anlage(i) => {
            let (crumbs, value) = b.anlage(*i);
            (
                "anlage.html",
                rc.site.documents[rc.site.anlagen[*i].doc].titel.clone(),
                crumbs,
                value,
            )
        }
        Job::Gremien => ("gremien.html", "Gremien".into(), vec![], b.gremien()),
        Job::Gremium(i) => (
            "gremium.html",
            rc.site.gremien[*i].name.clone(),
            vec![b.crumb("Gremien", "gremien/")],
            b.gremium(*i),
        ),
        Job::Personen(p) => {
            let title = if *p > 1 {
                format!("Personen, Seite {p}")
            } else {
                "Personen".into()
            };
            let crumbs = if *p > 1 {
                vec![b.crumb("Personen", "personen/")]
            } else {
                vec![]
            };
            ("personen.html", title, crumbs, b.personen(lists, *p))
        }
        Job::Person(i, page) => {
            let person = &rc.site.personen[*i];
            let mut crumbs = vec![b.crumb("Personen", "personen/")];
            let title = if *page > 1 {
                crumbs.push(b.crumb(&person.name, &format!("personen/{}/", person.slug)));
                format!("{}, Seite {page}", person.name)
            } else {
                person.name.clone()
            };
            ("person.html", title, crumbs, b.person(*i, *page))
        }
        Job::Suche => ("suche.html", "Suche".into(), vec![], b.suche(lists)),
        Job::Impressum => (
            "impressum.html",
            "Impressum".into(),
            vec![],
            json!({ "impressum": rc.config.impressum }),
        ),
        Job::Barrierefreiheit => (
            "barrierefreiheit.html",
            "Erklärung zur Barrierefreiheit".into(),
            vec![],
            json!({
                "erklaerung": rc.config.barrierefreiheit.clone().unwrap_or_default(),
                "konfiguriert": rc.config.barrierefreiheit.is_some(),
                "stand": rc.config.barrierefreiheit.as_ref().and_then(|b| b.stand.as_deref()).and_then(|s| Date::parse_iso(s).ok()).map(|d| d.german_long()),
                "site_url": rc.config.site_url,
            }),
        ),
        Job::LeichteSprache => (
            "leichte-sprache.html",
            "Leichte Sprache".into(),
            vec![],
            json!({}),
        ),
        Job::NotFound => ("404.html", "Seite nicht gefunden".into(), vec![], json!({})),
    };
    let mut breadcrumbs = vec![b.crumb("Startseite", "")];
    breadcrumbs.extend(crumbs);
    let canonical = rc.config.site_url.as_ref().map(|u| format!("{u}{path}"));
    let is_index = matches!(job, Job::Index);
    if let Value::Object(map) = &mut page {
        map.insert("title".into(), json!(title));
        map.insert("path".into(), json!(path));
        map.insert("canonical".into(), json!(canonical));
        map.insert(
            "breadcrumbs".into(),
            if is_index {
                json!([])
            } else {
                json!(breadcrumbs)
            },
        );
    }
    let value = json!({
        "site": {
            "title": rc.config.title,
            "description": rc.config.description,
            "search": rc.config.search,
            "lang": rc.config.language,
        },
        "root": root,
        "assets": rc
            .assets
            .iter()
            .map(|a| (a.name.split('.').next().unwrap_or(a.name).to_string(), json!(a.path)))
            .collect::<serde_json::Map<String, Value>>(),
    });
    (template, with_fields(value, [("page", page)]))
}

struct Builder<'a> {
    rc: &'a RenderContext<'a>,
    site: &'a Site,
    root: &'a str,
    /// Whether the page's records go into the search index.
    index: bool,
}

/// `object` with `fields` moved in. `json!` serialises every value it is given, so a
/// context built with it alone copies each nested list and each rendered body once per
/// level of nesting (a Vorlage page's text three times); the big fields go in by move.
fn with_fields<const N: usize>(mut object: Value, fields: [(&str, Value); N]) -> Value {
    if let Value::Object(map) = &mut object {
        for (key, value) in fields {
            map.insert(key.to_string(), value);
        }
    }
    object
}

fn date_value(d: Option<Date>) -> Value {
    match d {
        Some(d) => {
            json!({ "iso": d.iso(), "kurz": d.german(), "lang": d.german_long(), "wochentag": d.german_with_weekday() })
        }
        None => Value::Null,
    }
}

fn top_anchor(top: &str) -> String {
    format!("top-{}", crate::model::slug::slugify(top))
}

fn agenda_anchor(top: &str, public: bool) -> String {
    if public {
        format!("tagesordnung-top-{}", crate::model::slug::slugify(top))
    } else {
        format!(
            "tagesordnung-nichtoeffentlich-{}",
            crate::model::slug::slugify(top)
        )
    }
}

impl Builder<'_> {
    fn index_record(&self, id: u32, text: &str) {
        if self.index {
            self.rc.index_record(id, text);
        }
    }

    fn href(&self, path: &str) -> String {
        format!("{}{path}", self.root)
    }

    fn crumb(&self, title: &str, path: &str) -> Value {
        json!({ "title": title, "href": self.href(path) })
    }

    fn linker<'b>(&'b self, own_nr: Option<&'b str>) -> Linker<'b> {
        Linker {
            site: self.site,
            matcher: self.rc.matcher,
            root: self.root,
            own_nr,
        }
    }

    fn sitzung_link(&self, i: usize) -> Value {
        let s = &self.site.sitzungen[i];
        let doc = &self.site.documents[s.doc];
        let n = self.site.niederschrift(s.doc);
        let value = json!({
            "nr": n.map(|n| n.nr.clone()),
            "titel": doc.titel,
        });
        with_fields(
            value,
            [
                ("href", self.href(&format!("sitzungen/{}/", s.slug)).into()),
                ("datum", date_value(Some(doc.datum))),
                ("gremium", self.gremium_link(s.gremium)),
            ],
        )
    }

    fn vorlage_link(&self, i: usize) -> Value {
        let v = &self.site.vorlagen[i];
        let art = self.site.vorlage_doc(v).and_then(|(_, x)| x.art.clone());
        json!({
            "nr": v.nr,
            "titel": v.titel,
            "href": self.href(&format!("vorlagen/{}/", v.slug)),
            "datum": date_value(v.datum),
            "art": art,
            "hat_text": v.doc.is_some(),
        })
    }

    fn anlage_link(&self, i: usize) -> Value {
        let a: &AnlagePage = &self.site.anlagen[i];
        let doc = &self.site.documents[a.doc];
        let top = match (a.parent, a.top_index) {
            (Parent::Sitzung(s), Some(t)) => self
                .site
                .niederschrift(s)
                .map(|n| n.tagesordnung[t].top.clone()),
            _ => None,
        };
        json!({
            "titel": doc.titel,
            "href": self.href(&format!("anlagen/{}/", a.slug)),
            "nummer": a.nummer,
            "top": top,
            "datum": date_value(Some(doc.datum)),
        })
    }

    fn gremium_link(&self, i: usize) -> Value {
        let g = &self.site.gremien[i];
        json!({ "name": g.name, "kuerzel": g.kuerzel, "href": self.href(&format!("gremien/{}/", g.slug)) })
    }

    fn gremium_index(&self, name: &str) -> Option<usize> {
        self.site.gremien.iter().position(|g| g.name == name)
    }

    fn gremium_by_name(&self, name: &str) -> Value {
        match self.gremium_index(name) {
            Some(i) => self.gremium_link(i),
            None => json!({ "name": name }),
        }
    }

    fn person_link(&self, i: usize) -> Value {
        let p = &self.site.personen[i];
        json!({ "name": p.name, "anrede": p.anrede, "href": self.href(&format!("personen/{}/", p.slug)) })
    }

    fn person_index(&self, name: &str) -> Option<usize> {
        // Person pages are few per Sitzung; a linear search over a Sitzung's lists would need
        // the index anyway, so look the slug up through the sorted names.
        self.rc.person_by_name.get(name).copied()
    }

    fn body(&self, doc: DocId, own_nr: Option<&str>, opts: &BodyOptions) -> markdown::Rendered {
        let d = &self.site.documents[doc];
        let text = match std::fs::read_to_string(&d.source.path) {
            Ok(t) => t,
            Err(e) => {
                self.rc.report_io(&d.source.display, &e);
                return markdown::Rendered::default();
            }
        };
        let body = text.get(d.source.body_offset..).unwrap_or("");
        let published = if d.scan.excluded.is_empty() {
            std::borrow::Cow::Borrowed(body)
        } else {
            let mut kept = String::with_capacity(body.len());
            let mut last = 0;
            let mut ranges = d.scan.excluded.clone();
            ranges.sort_by_key(|r| r.start);
            for r in ranges {
                if r.start >= last {
                    kept.push_str(body.get(last..r.start).unwrap_or(""));
                    last = r.end;
                } else if r.end > last {
                    last = r.end;
                }
            }
            kept.push_str(body.get(last.min(body.len())..).unwrap_or(""));
            std::borrow::Cow::Owned(kept)
        };
        // The parse phase knows the body's highest heading level, unless parts were cut out.
        let opts = BodyOptions {
            min_level: if d.scan.excluded.is_empty() {
                d.scan.min_heading_level
            } else {
                None
            },
            ..*opts
        };
        markdown::render_with_text(&published, &self.linker(own_nr), &opts)
    }

    fn index(&self) -> Value {
        let latest_sitzungen: Vec<Value> = (0..self.site.sitzungen.len().min(8))
            .map(|i| self.sitzung_link(i))
            .collect();
        // The eight newest of 100,000 Vorlagen: selected, not sorted (the Startseite is
        // rendered in every build, a rebuild after one edit included).
        let mut with_text: Vec<usize> = (0..self.site.vorlagen.len())
            .filter(|i| self.site.vorlagen[*i].doc.is_some())
            .collect();
        let newest_first = |a: &usize, b: &usize| {
            let (x, y) = (&self.site.vorlagen[*a], &self.site.vorlagen[*b]);
            (y.datum, &y.nr).cmp(&(x.datum, &x.nr))
        };
        if with_text.len() > 8 {
            with_text.select_nth_unstable_by(8, newest_first);
            with_text.truncate(8);
        }
        with_text.sort_by(newest_first);
        let latest_vorlagen: Vec<Value> = with_text
            .into_iter()
            .map(|i| self.vorlage_link(i))
            .collect();
        let gremien: Vec<Value> = (0..self.site.gremien.len())
            .map(|i| self.gremium_link(i))
            .collect();
        json!({
            "sitzungen": latest_sitzungen,
            "vorlagen": latest_vorlagen,
            "gremien": gremien,
            "anzahl": {
                "sitzungen": self.site.sitzungen.len(),
                "vorlagen": self.site.vorlagen.len(),
                "anlagen": self.site.anlagen.len(),
                "personen": self.site.personen.len(),
            },
        })
    }

    fn sitzungen(&self, lists: &Lists) -> Value {
        let years: Vec<Value> = lists
            .sitzungen_by_year
            .iter()
            .rev()
            .map(|(y, l)| json!({ "jahr": y, "anzahl": l.len(), "href": self.href(&format!("sitzungen/jahr/{y}/")) }))
            .collect();
        let latest: Vec<Value> = (0..self.site.sitzungen.len().min(20))
            .map(|i| self.sitzung_link(i))
            .collect();
        json!({ "jahre": years, "neueste": latest })
    }

    fn sitzungen_jahr(&self, lists: &Lists, year: i32) -> Value {
        let list = lists
            .sitzungen_by_year
            .get(&year)
            .cloned()
            .unwrap_or_default();
        let years: Vec<Value> = lists
            .sitzungen_by_year
            .keys()
            .rev()
            .map(|y| json!({ "jahr": y, "href": self.href(&format!("sitzungen/jahr/{y}/")), "aktuell": *y == year }))
            .collect();
        json!({ "jahr": year, "sitzungen": list.into_iter().map(|i| self.sitzung_link(i)).collect::<Vec<_>>(), "jahre": years })
    }

    fn person_value(&self, p: &Person, role: Role) -> Value {
        let person = self.person_index(&p.key()).map(|i| self.person_link(i));
        json!({
            "name": p.name,
            "anrede": p.anrede,
            "voller_name": p.full_name(),
            "funktion": p.funktion,
            "vertretung_fuer": p.vertretung_fuer,
            "grund": p.grund,
            "href": person.as_ref().and_then(|v| v.get("href").cloned()),
            "rolle": role.label(),
        })
    }

    fn sitzung(&self, i: usize) -> (String, Value) {
        let s = &self.site.sitzungen[i];
        let doc = &self.site.documents[s.doc];
        let Kind::Niederschrift(n) = &doc.kind else {
            return (doc.titel.clone(), json!({}));
        };
        let linker = self.linker(None);
        let section_of = |t: usize| doc.scan.sections.iter().find(|sec| sec.top_index == t);
        let anlagen_of = |t: Option<usize>| -> Vec<Value> {
            s.anlagen
                .iter()
                .filter(|a| self.site.anlagen[**a].top_index == t)
                .map(|a| self.anlage_link(*a))
                .collect()
        };
        let tops = |public: bool| -> Vec<Value> {
            n.tagesordnung
                .iter()
                .enumerate()
                .filter(|(_, t)| t.public == public)
                .map(|(ti, t)| {
                    if !public {
                        // Number and title only: nothing else of a non-public item is published.
                        return json!({ "top": t.top, "anchor": agenda_anchor(&t.top, false), "titel_html": linker.linkify(&t.titel) });
                    }
                    let section = section_of(ti);
                    let vorlage = t.vorlage.as_ref().map(|nr| {
                        json!({ "nr": nr, "href": linker.vorlage_href(nr) })
                    });
                    let value = json!({
                        "top": t.top,
                        "ergebnis": t.ergebnis,
                    });
                    with_fields(value, [
                        ("anchor", agenda_anchor(&t.top, true).into()),
                        ("titel_html", linker.linkify(&t.titel).into()),
                        ("vorlage", vorlage.into()),
                        ("abstimmung", t.abstimmung.clone().or_else(|| section.and_then(|s| s.abstimmung.clone())).into()),
                        ("protokoll_href", section.map(|_| format!("#{}", top_anchor(&t.top))).into()),
                        ("anlagen", anlagen_of(Some(ti)).into()),
                    ])
                })
                .collect()
        };
        let anchors: Vec<(String, String, String)> = n
            .tagesordnung
            .iter()
            .filter(|t| t.public)
            .map(|t| {
                (
                    t.top.clone(),
                    top_anchor(&t.top),
                    agenda_anchor(&t.top, true),
                )
            })
            .collect();
        let protokoll = self.body(
            s.doc,
            None,
            &BodyOptions {
                base_level: 3,
                min_level: None,
                sections: Some(SectionAnchors { tops: &anchors }),
                reserved_ids: &[
                    "inhalt",
                    "kopfdaten",
                    "anwesenheit",
                    "tagesordnung",
                    "protokoll",
                    "anlagen",
                    "quellen",
                ],
            },
        );
        let persons = |list: &[Person], role: Role| -> Vec<Value> {
            list.iter().map(|p| self.person_value(p, role)).collect()
        };
        self.index_sitzung(i, n, &protokoll);
        let value = json!({
            "nr": n.nr,
            "titel": doc.titel,
            "beginn": n.beginn,
            "ende": n.ende,
            "ort": n.ort,
            "quelle": doc.quelle,
        });
        let value = with_fields(
            value,
            [
                ("gremium", self.gremium_link(s.gremium)),
                ("datum", date_value(Some(doc.datum))),
                ("erstellt", date_value(n.erstellt)),
                ("anwesend", persons(&n.anwesend, Role::Anwesend).into()),
                ("abwesend", persons(&n.abwesend, Role::Abwesend).into()),
                (
                    "verwaltung",
                    persons(&n.verwaltung, Role::Verwaltung).into(),
                ),
                (
                    "schriftfuehrung",
                    persons(&n.schriftfuehrung, Role::Schriftfuehrung).into(),
                ),
                ("tops", tops(true).into()),
                ("tops_nichtoeffentlich", tops(false).into()),
                ("protokoll_html", protokoll.html.into()),
                ("anlagen_ohne_top", anlagen_of(None).into()),
                ("anlagen", self.anlage_links(&s.anlagen)),
            ],
        );
        (format!("{} – {}", doc.titel, doc.datum.german()), value)
    }

    /// The Sitzung's own record (agenda, attendance, text outside the sections) and one
    /// record per Protokoll section.
    fn index_sitzung(
        &self,
        i: usize,
        n: &crate::model::Niederschrift,
        protokoll: &markdown::Rendered,
    ) {
        let doc = &self.site.documents[self.site.sitzungen[i].doc];
        let mut head = format!(
            "{}\n{}\n{}\n",
            doc.titel,
            n.nr,
            n.ort.clone().unwrap_or_default()
        );
        for t in &n.tagesordnung {
            head.push_str(&format!("TOP {} {}\n", t.top, t.titel));
        }
        for (_, p) in n.persons() {
            head.push_str(&p.full_name());
            head.push('\n');
        }
        for (top, text) in &protokoll.text {
            match top {
                None => head.push_str(text),
                Some(top) => {
                    let index = n
                        .tagesordnung
                        .iter()
                        .position(|t| t.public && &t.top == top);
                    if let Some(id) = index.and_then(|t| self.rc.record_ids.top.get(&(i, t))) {
                        self.index_record(*id, text);
                    }
                }
            }
        }
        self.index_record(self.rc.record_ids.sitzung[i], &head);
    }

    fn vorlagen(&self, lists: &Lists) -> Value {
        let years: Vec<Value> = lists
            .vorlagen_by_year
            .iter()
            .rev()
            .map(|(y, l)| {
                json!({
                    "jahr": y.map(|y| y.to_string()).unwrap_or_else(|| "ohne Datum".into()),
                    "anzahl": l.len(),
                    "href": self.href(&format!("vorlagen/jahr/{}/", year_key(*y))),
                })
            })
            .collect();
        json!({ "jahre": years })
    }

    fn vorlagen_jahr(&self, lists: &Lists, year: Option<i32>, page: usize) -> Value {
        let list = lists
            .vorlagen_by_year
            .get(&year)
            .cloned()
            .unwrap_or_default();
        let pages = list.len().div_ceil(PAGE_SIZE).max(1);
        let base = format!("vorlagen/jahr/{}/", year_key(year));
        let rows: Vec<Value> = list
            .iter()
            .skip((page - 1) * PAGE_SIZE)
            .take(PAGE_SIZE)
            .map(|i| self.vorlage_link(*i))
            .collect();
        json!({
            "jahr": year.map(|y| y.to_string()).unwrap_or_else(|| "ohne Datum".into()),
            "vorlagen": rows,
            "seiten": self.pagination(&base, page, pages),
            "anzahl": list.len(),
        })
    }

    fn pagination(&self, base: &str, page: usize, pages: usize) -> Value {
        if pages <= 1 {
            return Value::Null;
        }
        json!({
            "seite": page,
            "seiten": pages,
            "zurueck": (page > 1).then(|| self.href(&paged(base, page - 1))),
            "weiter": (page < pages).then(|| self.href(&paged(base, page + 1))),
            "liste": (1..=pages).map(|p| json!({ "nr": p, "href": self.href(&paged(base, p)), "aktuell": p == page })).collect::<Vec<_>>(),
        })
    }

    fn anlage_links(&self, anlagen: &[usize]) -> Value {
        anlagen.iter().map(|a| self.anlage_link(*a)).collect()
    }

    fn vorlage(&self, i: usize) -> Value {
        let v = &self.site.vorlagen[i];
        let linker = self.linker(Some(&v.nr));
        let doc = self.site.vorlage_doc(v);
        let planned: &[crate::model::Beratung] =
            doc.map(|(_, x)| &x.beratungsfolge[..]).unwrap_or_default();
        let held: Vec<(usize, Date)> = v
            .beratungen
            .iter()
            .map(|r| {
                (
                    self.site.sitzungen[self.site.sitzung_by_doc[&r.doc]].gremium,
                    self.site.documents[r.doc].datum,
                )
            })
            .collect();
        let planned_keys: Vec<(Option<usize>, Option<Date>)> = planned
            .iter()
            .map(|b| (self.gremium_index(&b.gremium), b.datum))
            .collect();
        let plan_of_held = match_planned(&planned_keys, &held);
        let body = v.doc.map(|d| {
            self.body(
                d,
                Some(&v.nr),
                &BodyOptions {
                    base_level: 3,
                    min_level: None,
                    sections: None,
                    reserved_ids: &[
                        "inhalt",
                        "stammdaten",
                        "text",
                        "beratungen",
                        "anlagen",
                        "ergaenzungen",
                        "erwaehnungen",
                        "quellen",
                    ],
                },
            )
        });
        // Found once per page, and only for a page with a Beschluss to compare.
        let sections = std::cell::OnceCell::new();
        let beratungen: Vec<Value> = v
            .beratungen
            .iter()
            .zip(&plan_of_held)
            .map(|(r, plan)| {
                let si = self.site.sitzung_by_doc[&r.doc];
                let sdoc = &self.site.documents[r.doc];
                let n = self.site.niederschrift(r.doc);
                let top = n.map(|n| &n.tagesordnung[r.top_index]);
                let section = sdoc.scan.sections.iter().find(|s| s.top_index == r.top_index);
                let sitzung_href = self.href(&format!("sitzungen/{}/", self.site.sitzungen[si].slug));
                let mut beschluss_html = section.and_then(|s| s.beschluss.as_ref()).map(|md| {
                    markdown::render(md, &linker, &BodyOptions { base_level: 4, sections: None, reserved_ids: &[], min_level: None })
                });
                // A Beschluss in the words of a section of the Vorlage's own text (its
                // Beschlussvorschlag, mostly) links there instead of repeating it.
                let wie = beschluss_html.as_deref().zip(body.as_ref()).and_then(|(b, body)| sections.get_or_init(|| html::Sections::of(&body.html)).equal_to(b)).map(|s| json!({ "id": s.id, "titel_html": s.title_html }));
                if wie.is_some() {
                    beschluss_html = None;
                }
                let value = json!({
                    "top": top.map(|t| t.top.clone()),
                    "ergebnis": top.and_then(|t| t.ergebnis.clone()),
                    "abstimmung": top.and_then(|t| t.abstimmung.clone()).or_else(|| section.and_then(|s| s.abstimmung.clone())),
                    "protokoll_href": section.map(|_| format!("{sitzung_href}#{}", top.map(|t| top_anchor(&t.top)).unwrap_or_default())),
                    "tagesordnung_href": top.map(|t| format!("{sitzung_href}#{}", agenda_anchor(&t.top, true))),
                    "zustaendigkeit": plan.and_then(|p| planned[p].zustaendigkeit.clone()),
                });
                with_fields(value, [
                    ("sitzung", self.sitzung_link(si)),
                    // The agenda item's title only where it says more than the Vorlage's.
                    ("titel_html", top.filter(|t| t.titel != v.titel).map(|t| linker.linkify(&t.titel)).into()),
                    ("beschluss_html", beschluss_html.into()),
                    ("beschluss_wie", wie.into()),
                ])
            })
            .collect();
        // Planned Beratungen that no published Niederschrift took up (yet).
        let geplant: Vec<Value> = planned
            .iter()
            .enumerate()
            .filter(|(p, _)| !plan_of_held.contains(&Some(*p)))
            .map(|(_, b)| json!({ "datum": date_value(b.datum), "gremium": self.gremium_by_name(&b.gremium), "zustaendigkeit": b.zustaendigkeit }))
            .collect();
        let erwaehnungen: Vec<Value> = v
            .erwaehnungen
            .iter()
            .map(|m| {
                let d = &self.site.documents[m.doc];
                let (href, typ) = match &d.kind {
                    Kind::Niederschrift(_) => {
                        let si = self.site.sitzung_by_doc[&m.doc];
                        let base = self.href(&format!("sitzungen/{}/", self.site.sitzungen[si].slug));
                        let n = self.site.niederschrift(m.doc);
                        let target = m.top_index.and_then(|t| {
                            let top = &n?.tagesordnung[t];
                            let has_section = d.scan.sections.iter().any(|s| s.top_index == t);
                            Some(if has_section { top_anchor(&top.top) } else { agenda_anchor(&top.top, top.public) })
                        });
                        (match target { Some(t) => format!("{base}#{t}"), None => base }, "Sitzung")
                    }
                    Kind::Vorlage(x) => (
                        self.site.vorlage_by_nr.get(&x.nr).map(|vi| self.href(&format!("vorlagen/{}/", self.site.vorlagen[*vi].slug))).unwrap_or_default(),
                        "Vorlage",
                    ),
                    Kind::Anlage(_) => (
                        self.site.anlage_by_doc.get(&m.doc).map(|ai| self.href(&format!("anlagen/{}/", self.site.anlagen[*ai].slug))).unwrap_or_default(),
                        "Anlage",
                    ),
                };
                let top = m.top_index.and_then(|t| self.site.niederschrift(m.doc).map(|n| n.tagesordnung[t].top.clone()));
                json!({ "typ": typ, "titel": d.titel, "href": href, "datum": date_value(Some(d.datum)), "top": top })
            })
            .collect();
        let beratungsfolge: Vec<Value> = doc
            .map(|(_, x)| {
                x.beratungsfolge
                    .iter()
                    .map(|b| json!({ "datum": date_value(b.datum), "gremium": self.gremium_by_name(&b.gremium), "zustaendigkeit": b.zustaendigkeit }))
                    .collect()
            })
            .unwrap_or_default();
        let index_text = body
            .as_ref()
            .map(markdown::Rendered::all_text)
            .unwrap_or_default();
        self.index_record(self.rc.record_ids.vorlage[i], &index_text);
        let body_html = body.map(|b| b.html);
        // Sections of the page: Beratungen always, the others when they have entries.
        let abschnitte = 1
            + usize::from(body_html.as_ref().is_some_and(|h| !h.is_empty()))
            + usize::from(!v.anlagen.is_empty())
            + usize::from(!v.ergaenzungen.is_empty())
            + usize::from(!erwaehnungen.is_empty());
        let value = json!({
            "abschnitte": abschnitte,
            "nr": v.nr,
            "hat_text": v.doc.is_some(),
            "art": doc.and_then(|(_, x)| x.art.clone()),
            "federfuehrend": doc.and_then(|(_, x)| x.federfuehrend.clone()),
            "beteiligt": doc.map(|(_, x)| x.beteiligt.clone()).unwrap_or_default(),
            "verfasser": doc.and_then(|(_, x)| x.verfasser.clone()),
            "ziele": doc.and_then(|(_, x)| x.ziele.clone()),
            "quelle": doc.map(|(d, _)| d.quelle.clone()).unwrap_or_default(),
        });
        with_fields(
            value,
            [
                ("titel_html", linker.linkify(&v.titel).into()),
                ("datum", date_value(v.datum)),
                ("beratungsfolge", beratungsfolge.into()),
                ("beratungen", beratungen.into()),
                ("geplant", geplant.into()),
                ("body_html", body_html.into()),
                ("anlagen", self.anlage_links(&v.anlagen)),
                ("ursprung", v.ursprung.map(|u| self.vorlage_link(u)).into()),
                (
                    "ergaenzungen",
                    v.ergaenzungen
                        .iter()
                        .map(|e| self.vorlage_link(*e))
                        .collect::<Vec<_>>()
                        .into(),
                ),
                ("erwaehnungen", erwaehnungen.into()),
            ],
        )
    }

    fn anlage(&self, i: usize) -> (Vec<Value>, Value) {
        let a = &self.site.anlagen[i];
        let doc = &self.site.documents[a.doc];
        let (parent, crumbs, top) = match a.parent {
            Parent::Sitzung(s) => {
                let si = self.site.sitzung_by_doc[&s];
                let link = self.sitzung_link(si);
                let sitzung_href = link["href"].as_str().unwrap_or_default().to_string();
                let top = a.top_index.and_then(|t| {
                    let top = &self.site.niederschrift(s)?.tagesordnung[t];
                    Some(json!({ "top": top.top, "titel": top.titel, "href": format!("{sitzung_href}#{}", agenda_anchor(&top.top, true)) }))
                });
                let label = format!("Sitzung {}", link["nr"].as_str().unwrap_or_default());
                (
                    json!({ "typ": "Sitzung", "titel": link["titel"], "nr": link["nr"], "href": sitzung_href, "datum": link["datum"] }),
                    vec![
                        self.crumb("Sitzungen", "sitzungen/"),
                        json!({ "title": label, "href": link["href"] }),
                    ],
                    top,
                )
            }
            Parent::Vorlage(v) => {
                let link = self.vorlage_link(v);
                let label = format!("Vorlage {}", link["nr"].as_str().unwrap_or_default());
                (
                    json!({ "typ": "Vorlage", "titel": link["titel"], "nr": link["nr"], "href": link["href"], "datum": link["datum"] }),
                    vec![
                        self.crumb("Vorlagen", "vorlagen/"),
                        json!({ "title": label, "href": link["href"] }),
                    ],
                    None,
                )
            }
        };
        let datei = match &doc.kind {
            Kind::Anlage(x) => x.datei.as_ref().map(|d| {
                let name = d.rsplit('/').next().unwrap_or(d).to_string();
                let size = std::fs::metadata(self.rc.config.content_dir.join(d)).map(|m| m.len()).unwrap_or(0);
                json!({ "name": name, "href": self.href(&format!("anlagen/{}/{}", a.slug, name)), "groesse": human_size(size) })
            }),
            _ => None,
        };
        let body = self.body(
            a.doc,
            None,
            &BodyOptions {
                base_level: 3,
                min_level: None,
                sections: None,
                reserved_ids: &["inhalt", "text", "datei", "quellen"],
            },
        );
        self.index_record(self.rc.record_ids.anlage[i], &body.all_text());
        let body_html = body.html;
        let value = json!({
            "titel": doc.titel,
            "nummer": a.nummer,
            "datei": datei,
            "quelle": doc.quelle,
        });
        let value = with_fields(
            value,
            [
                ("datum", date_value(Some(doc.datum))),
                ("parent", parent),
                ("top", top.into()),
                ("body_html", body_html.into()),
            ],
        );
        (crumbs, value)
    }

    fn suche(&self, lists: &Lists) -> Value {
        let mut jahre: Vec<i32> = lists
            .sitzungen_by_year
            .keys()
            .copied()
            .chain(lists.vorlagen_by_year.keys().filter_map(|y| *y))
            .collect();
        jahre.sort_unstable_by(|a, b| b.cmp(a));
        jahre.dedup();
        let gremien: Vec<&str> = self.site.gremien.iter().map(|g| g.name.as_str()).collect();
        json!({
            "typen": [
                { "wert": "Sitzung", "label": "Sitzungen" },
                { "wert": "Vorlage", "label": "Vorlagen" },
                { "wert": "Anlage", "label": "Anlagen" },
            ],
            "gremien": gremien,
            "jahre": jahre,
        })
    }

    fn gremien(&self) -> Value {
        let gremien: Vec<Value> = self
            .site
            .gremien
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let mut link = self.gremium_link(i);
                link["anzahl"] = json!(g.sitzungen.len());
                link
            })
            .collect();
        json!({ "gremien": gremien })
    }

    fn gremium(&self, i: usize) -> Value {
        let g = &self.site.gremien[i];
        let mut by_year: BTreeMap<i32, Vec<Value>> = BTreeMap::new();
        for si in &g.sitzungen {
            let year = self.site.documents[self.site.sitzungen[*si].doc].datum.year;
            by_year
                .entry(year)
                .or_default()
                .push(self.sitzung_link(*si));
        }
        let jahre: Vec<Value> = by_year
            .into_iter()
            .rev()
            .map(|(y, s)| json!({ "jahr": y, "sitzungen": s }))
            .collect();
        let mitglieder: Vec<Value> = g
            .mitglieder
            .iter()
            .map(|(p, count)| {
                let mut link = self.person_link(*p);
                link["anzahl"] = json!(count);
                link
            })
            .collect();
        json!({ "name": g.name, "kuerzel": g.kuerzel, "jahre": jahre, "mitglieder": mitglieder, "anzahl": g.sitzungen.len() })
    }

    fn personen(&self, lists: &Lists, page: usize) -> Value {
        let pages = lists.personen_sorted.len().div_ceil(PAGE_SIZE).max(1);
        let rows: Vec<Value> = lists
            .personen_sorted
            .iter()
            .skip((page - 1) * PAGE_SIZE)
            .take(PAGE_SIZE)
            .map(|p| {
                let mut link = self.person_link(*p);
                link["anzahl"] = json!(self.site.personen[*p].auftritte.len());
                link
            })
            .collect();
        json!({ "personen": rows, "seiten": self.pagination("personen/", page, pages), "anzahl": lists.personen_sorted.len() })
    }

    fn person(&self, i: usize, page: usize) -> Value {
        let p = &self.site.personen[i];
        let rows: Vec<&(usize, Role, Option<String>)> = p
            .auftritte
            .iter()
            .skip((page - 1) * PAGE_SIZE)
            .take(PAGE_SIZE)
            .collect();
        // The role most rows of the page share is said once above the list; a row names
        // its role only where it differs (most people attend in one role for years).
        let usual = usual_role(
            rows.iter()
                .map(|(_, role, funktion)| (role.label(), funktion.as_deref())),
        );
        let auftritte: Vec<Value> = rows
            .iter()
            .map(|(si, role, funktion)| {
                let own = (role.label(), funktion.as_deref());
                let differs = usual != Some(own);
                json!({
                    "sitzung": self.sitzung_link(*si),
                    "rolle": differs.then_some(own.0),
                    "funktion": if differs { own.1 } else { None },
                })
            })
            .collect();
        // Grouped by Sitzung: a person is often named under several TOPs of one Sitzung,
        // which is then said once.
        let mut genannt: Vec<(DocId, Value, Vec<Value>)> = Vec::new();
        for r in p
            .genannt
            .iter()
            .skip((page - 1) * PAGE_SIZE)
            .take(PAGE_SIZE)
        {
            if genannt.last().is_none_or(|(doc, _, _)| *doc != r.doc) {
                genannt.push((
                    r.doc,
                    self.sitzung_link(self.site.sitzung_by_doc[&r.doc]),
                    Vec::new(),
                ));
            }
            let Some((_, link, tops)) = genannt.last_mut() else {
                continue;
            };
            let top = self
                .site
                .niederschrift(r.doc)
                .map(|n| &n.tagesordnung[r.top_index]);
            tops.push(json!({
                "top": top.map(|t| t.top.clone()),
                "titel": top.map(|t| t.titel.clone()),
                "href": format!("{}#{}", link["href"].as_str().unwrap_or_default(), top.map(|t| top_anchor(&t.top)).unwrap_or_default()),
            }));
        }
        let genannt: Vec<Value> = genannt
            .into_iter()
            .map(|(_, sitzung, tops)| json!({ "sitzung": sitzung, "tops": tops }))
            .collect();
        let seiten = self.pagination(&format!("personen/{}/", p.slug), page, person_pages(p));
        json!({
            "name": p.name,
            "anrede": p.anrede,
            "auftritte": auftritte,
            "rolle": usual.map(|(rolle, funktion)| json!({ "rolle": rolle, "funktion": funktion })),
            "genannt": genannt,
            "anzahl_sitzungen": p.auftritte.len(),
            "seiten": seiten,
        })
    }
}

/// The (role, Funktion) more than half of `rows` share, if any.
fn usual_role<'r>(
    rows: impl Iterator<Item = (&'r str, Option<&'r str>)>,
) -> Option<(&'r str, Option<&'r str>)> {
    let mut counts: BTreeMap<(&str, Option<&str>), usize> = BTreeMap::new();
    let mut total = 0;
    for row in rows {
        *counts.entry(row).or_default() += 1;
        total += 1;
    }
    counts
        .into_iter()
        .find(|(_, n)| 2 * n > total)
        .map(|(role, _)| role)
}

/// For each held Beratung (Gremium, date of the Sitzung), the planned Beratung of the
/// Beratungsfolge it carries out: the same Gremium on the planned date, else the same
/// Gremium later (a postponed item) or without a planned date. Each plan is used once.
fn match_planned(
    planned: &[(Option<usize>, Option<Date>)],
    held: &[(usize, Date)],
) -> Vec<Option<usize>> {
    let mut used = vec![false; planned.len()];
    let mut result = vec![None; held.len()];
    let exact = |(g, d): &(usize, Date), (pg, pd): &(Option<usize>, Option<Date>)| {
        *pg == Some(*g) && *pd == Some(*d)
    };
    let late = |(g, d): &(usize, Date), (pg, pd): &(Option<usize>, Option<Date>)| {
        *pg == Some(*g) && pd.is_none_or(|pd| pd <= *d)
    };
    for rule in [&exact as &dyn Fn(&_, &_) -> bool, &late] {
        for (h, held) in held.iter().enumerate() {
            if result[h].is_some() {
                continue;
            }
            if let Some(p) = (0..planned.len()).find(|p| !used[*p] && rule(held, &planned[*p])) {
                used[p] = true;
                result[h] = Some(p);
            }
        }
    }
    result
}

fn human_size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0)).replace('.', ",")
    } else {
        format!("{} KB", bytes.div_ceil(1024).max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_page_holds_at_most_one_page_of_sitzungen() {
        let mut person = crate::link::PersonPage {
            name: "Hans Leo Deumens".into(),
            anrede: None,
            slug: "hans-leo-deumens".into(),
            auftritte: Vec::new(),
            genannt: Vec::new(),
        };
        assert_eq!(person_pages(&person), 1);
        person.auftritte = vec![(0, crate::model::Role::Anwesend, None); PAGE_SIZE + 1];
        assert_eq!(person_pages(&person), 2);
        let mut site = crate::link::link(
            Vec::new(),
            &crate::parse::nr::NrMatcher::new(&Default::default()).expect("pattern"),
        )
        .0;
        site.personen.push(person);
        assert_eq!(
            path(&site, &Job::Person(0, 1)),
            "personen/hans-leo-deumens/"
        );
        assert_eq!(
            path(&site, &Job::Person(0, 2)),
            "personen/hans-leo-deumens/seite-2/"
        );
    }

    #[test]
    fn a_held_beratung_carries_out_the_plan_of_its_gremium() {
        let d = |day| Date::parse_iso(&format!("2021-05-{day:02}")).expect("date");
        let planned = [
            (Some(0), Some(d(6))),
            (Some(1), Some(d(10))),
            (Some(2), None),
            (None, Some(d(1))),
        ];
        // Gremium 1 met later than planned (postponed), Gremium 0 as planned, Gremium 3 unplanned.
        let held = [(1, d(20)), (0, d(6)), (3, d(6)), (2, d(3))];
        assert_eq!(
            match_planned(&planned, &held),
            vec![Some(1), Some(0), None, Some(2)]
        );
        // A plan is used once; a Sitzung before the planned date does not carry it out.
        assert_eq!(
            match_planned(&planned[..2], &[(0, d(6)), (0, d(7)), (1, d(9))]),
            vec![Some(0), None, None]
        );
    }

    #[test]
    fn the_usual_role_is_the_one_of_more_than_half_the_rows() {
        let v = "für die Verwaltung";
        let rows = [(v, Some("FB 20")), ("anwesend", None), (v, Some("FB 20"))];
        assert_eq!(usual_role(rows.into_iter()), Some((v, Some("FB 20"))));
        assert_eq!(usual_role(rows[..2].iter().copied()), None);
        assert_eq!(usual_role(std::iter::empty()), None);
    }

    #[test]
    fn register_order() {
        let mut names = vec!["Marianne Krott", "Köbernik", "Hans Leo Deumens"];
        names.sort_by_key(|n| sort_name(n));
        assert_eq!(
            names,
            vec!["Hans Leo Deumens", "Köbernik", "Marianne Krott"]
        );
    }

    #[test]
    fn roots_and_paging() {
        assert_eq!(root_for(""), "");
        assert_eq!(root_for("sitzungen/asid-07-wp18/"), "../../");
        assert_eq!(paged("vorlagen/jahr/2021/", 1), "vorlagen/jahr/2021/");
        assert_eq!(
            paged("vorlagen/jahr/2021/", 3),
            "vorlagen/jahr/2021/seite-3/"
        );
    }
}
