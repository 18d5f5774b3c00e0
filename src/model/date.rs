//! Calendar dates and times of day, and how German readers expect to see them.

use std::fmt;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

/// German month names, January first.
pub const MONTHS: [&str; 12] = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
];
const WEEKDAYS: [&str; 7] = [
    "Montag",
    "Dienstag",
    "Mittwoch",
    "Donnerstag",
    "Freitag",
    "Samstag",
    "Sonntag",
];

impl Date {
    /// Parses an ISO date `YYYY-MM-DD` and rejects impossible days such as 2021-02-30.
    pub fn parse_iso(text: &str) -> Result<Date, String> {
        let text = text.trim();
        let parts: Vec<&str> = text.split('-').collect();
        let shape_ok = parts.len() == 3
            && parts[0].len() == 4
            && parts[1].len() == 2
            && parts[2].len() == 2
            && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()));
        if !shape_ok {
            return Err(format!(
                "„{text}“ ist kein Datum im Format JJJJ-MM-TT (z. B. 2021-02-25)"
            ));
        }
        let (year, month, day) = (
            parts[0].parse::<i32>().map_err(|e| e.to_string())?,
            parts[1].parse::<u32>().map_err(|e| e.to_string())?,
            parts[2].parse::<u32>().map_err(|e| e.to_string())?,
        );
        if !(1..=12).contains(&month) {
            return Err(format!("„{text}“: einen Monat {month} gibt es nicht"));
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(format!(
                "„{text}“: der {month:02}. Monat {year} hat keinen {day}. Tag"
            ));
        }
        Ok(Date { year, month, day })
    }

    /// `25.02.2021`
    pub fn german(&self) -> String {
        format!("{:02}.{:02}.{:04}", self.day, self.month, self.year)
    }

    /// `25. Februar 2021`
    pub fn german_long(&self) -> String {
        format!(
            "{}. {} {}",
            self.day,
            MONTHS[(self.month - 1) as usize],
            self.year
        )
    }

    /// `Donnerstag, 25.02.2021`
    pub fn german_with_weekday(&self) -> String {
        format!("{}, {}", self.weekday_name(), self.german())
    }

    pub fn weekday_name(&self) -> &'static str {
        WEEKDAYS[self.weekday_from_monday()]
    }

    /// 0 = Monday … 6 = Sunday, from the day count since 1970-01-01 (a Thursday).
    fn weekday_from_monday(&self) -> usize {
        (self.days_since_epoch() + 3).rem_euclid(7) as usize
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    pub fn days_since_epoch(&self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    pub fn iso(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// Validates a time of day written `HH:MM` (also `H:MM` or `HH.MM`) and returns `HH:MM`.
pub fn parse_time(text: &str) -> Result<String, String> {
    let t = text.trim();
    let (h, m) = t
        .split_once(':')
        .or_else(|| t.split_once('.'))
        .ok_or_else(|| format!("„{t}“ ist keine Uhrzeit im Format HH:MM"))?;
    let hour: u32 = h
        .parse()
        .map_err(|_| format!("„{t}“ ist keine Uhrzeit im Format HH:MM"))?;
    let minute: u32 = m
        .parse()
        .map_err(|_| format!("„{t}“ ist keine Uhrzeit im Format HH:MM"))?;
    if hour > 24 || minute > 59 || m.len() != 2 {
        return Err(format!("„{t}“ ist keine gültige Uhrzeit"));
    }
    Ok(format!("{hour:02}:{minute:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats() {
        let d = Date::parse_iso("2021-02-25").expect("date");
        assert_eq!(d.german(), "25.02.2021");
        assert_eq!(d.german_long(), "25. Februar 2021");
        assert_eq!(d.german_with_weekday(), "Donnerstag, 25.02.2021");
        assert_eq!(
            Date::parse_iso("2025-02-18").expect("d").weekday_name(),
            "Dienstag"
        );
        assert_eq!(
            Date::parse_iso("2000-02-29").expect("leap").weekday_name(),
            "Dienstag"
        );
    }

    #[test]
    fn rejects_impossible_dates() {
        assert!(Date::parse_iso("2021-02-30").is_err());
        assert!(Date::parse_iso("2021-02-29").is_err());
        assert!(Date::parse_iso("2021-13-01").is_err());
        assert!(Date::parse_iso("25.02.2021").is_err());
        assert!(Date::parse_iso("2024-02-29").is_ok());
    }

    #[test]
    fn times() {
        assert_eq!(parse_time("9:05").as_deref(), Ok("09:05"));
        assert_eq!(parse_time("17.57").as_deref(), Ok("17:57"));
        assert!(parse_time("25:99").is_err());
        assert!(parse_time("abends").is_err());
    }
}
