//! Write: the output folder is replaced atomically.
//!
//! Pages are written into a fresh staging folder beside the output folder; only when the
//! whole build succeeded is the old output moved aside and the staging folder renamed into
//! its place. A failed build removes its staging folder and leaves the published output as
//! it was.

use std::io;
use std::path::{Component, Path, PathBuf};

pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
}

impl Staging {
    /// Creates an empty staging folder next to `target` (same file system, so the final
    /// rename is atomic).
    pub fn create(target: &Path) -> io::Result<Staging> {
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent)?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "site".to_string());
        let dir = parent.join(format!(".{name}.portal-neu-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir_all(&dir)?;
        Ok(Staging {
            dir,
            target: target.to_path_buf(),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes `bytes` at `rel` (a `/`-separated path inside the site).
    pub fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        let path = self.path_for(rel)?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, bytes)
    }

    pub fn copy(&self, from: &Path, rel: &str) -> io::Result<()> {
        let path = self.path_for(rel)?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(from, path).map(|_| ())
    }

    /// A site path may not climb out of the output folder.
    fn path_for(&self, rel: &str) -> io::Result<PathBuf> {
        let rel_path = Path::new(rel);
        if rel_path
            .components()
            .any(|c| !matches!(c, Component::Normal(_)))
        {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("unzulässiger Ausgabepfad: {rel}"),
            ));
        }
        Ok(self.dir.join(rel_path))
    }

    /// Puts the staged site in place of the target.
    pub fn publish(self) -> io::Result<()> {
        let old = self.dir.with_file_name(format!(
            ".{}.portal-alt-{}",
            self.target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            std::process::id()
        ));
        let had_old = self.target.exists();
        if had_old {
            std::fs::rename(&self.target, &old)?;
        }
        if let Err(e) = std::fs::rename(&self.dir, &self.target) {
            if had_old {
                // Put the published site back before reporting.
                let _ = std::fs::rename(&old, &self.target);
            }
            return Err(e);
        }
        if had_old {
            std::fs::remove_dir_all(&old)?;
        }
        std::mem::forget(self);
        Ok(())
    }
}

impl Drop for Staging {
    /// An abandoned build leaves nothing behind.
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publish_replaces_and_drop_discards() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let target = tmp.path().join("site");
        std::fs::create_dir_all(&target).expect("mkdir");
        std::fs::write(target.join("alt.html"), "alt").expect("write");

        let failed = Staging::create(&target).expect("staging");
        failed.write("neu.html", b"neu").expect("write");
        drop(failed);
        assert!(target.join("alt.html").exists());
        assert_eq!(std::fs::read_dir(tmp.path()).expect("ls").count(), 1);

        let staging = Staging::create(&target).expect("staging");
        staging.write("a/b/index.html", b"neu").expect("write");
        assert!(staging.write("../x", b"no").is_err());
        staging.publish().expect("publish");
        assert!(!target.join("alt.html").exists());
        assert!(target.join("a/b/index.html").exists());
        assert_eq!(std::fs::read_dir(tmp.path()).expect("ls").count(), 1);
    }
}
