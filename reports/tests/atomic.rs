//! `write_atomic`: readers see the old file or the whole new one, and failures leave no debris.

use std::io::{self, Write};
use std::path::Path;

use cors_reports::{write_atomic, write_atomic_with};

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn writes_a_new_file_and_replaces_an_old_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    write_atomic(&path, b"first").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"first");
    write_atomic(&path, b"second, longer").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"second, longer");
    assert_eq!(entries(dir.path()), ["report.json"]);
}

#[test]
fn a_failing_write_leaves_the_old_file_and_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.xml");
    write_atomic(&path, b"old report").unwrap();
    let err = write_atomic_with(&path, |file| {
        file.write_all(b"half of the new rep")?;
        Err(io::Error::other("disk full"))
    })
    .unwrap_err();
    assert_eq!(err.to_string(), "disk full");
    assert_eq!(std::fs::read(&path).unwrap(), b"old report");
    assert_eq!(entries(dir.path()), ["report.xml"]);
}

#[test]
fn a_failing_rename_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    // The destination is a non-empty directory: the rename fails.
    let path = dir.path().join("out");
    std::fs::create_dir(&path).unwrap();
    std::fs::write(path.join("keep"), b"x").unwrap();
    assert!(write_atomic(&path, b"report").is_err());
    assert_eq!(entries(dir.path()), ["out"]);
    assert_eq!(std::fs::read(path.join("keep")).unwrap(), b"x");
}

#[test]
fn a_missing_directory_or_file_name_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    assert!(write_atomic(dir.path().join("missing/report.md"), b"x").is_err());
    assert_eq!(write_atomic(Path::new("/"), b"x").unwrap_err().kind(), io::ErrorKind::InvalidInput);
}

#[cfg(unix)]
#[test]
fn permissions_are_readable_and_kept() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.sarif");
    write_atomic(&path, b"a").unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o644);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    write_atomic(&path, b"b").unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
}
