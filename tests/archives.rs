//! Archives of inputs (.zip, .tar, .tar.gz): each member read as an input
//! of its own, under the archive's limits. The archives are built here with
//! the zip and tar crates' writers from our own small fixtures.

mod common;

use std::io::{Cursor, Write};

use leakscope::import::{
    memory_needed, read_contents_from, read_from, Contents, ImportOptions, Input,
};
use leakscope::workspace::Workspace;
use leakscope::ErrorKind;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(common::data(name)).unwrap()
}

fn heap() -> Vec<u8> {
    fixture("go.heap.pb.gz")
}

fn csv() -> Vec<u8> {
    fixture("series/leak/grafana-joined-epoch.csv")
}

/// A zip of (name, bytes); a name ending in `/` is a folder.
fn zip(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        if name.ends_with('/') {
            w.add_directory(*name, options).unwrap();
        } else {
            w.start_file(*name, options).unwrap();
            w.write_all(bytes).unwrap();
        }
    }
    w.finish().unwrap().into_inner()
}

fn tar(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, bytes) in files {
        let mut h = tar::Header::new_ustar();
        h.set_size(bytes.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        // append_data would refuse `../`; the header's bytes take any name.
        h.as_ustar_mut().unwrap().name[..name.len()].copy_from_slice(name.as_bytes());
        h.set_cksum();
        b.append(&h, *bytes).unwrap();
    }
    b.into_inner().unwrap()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn members(data: &[u8], options: &ImportOptions) -> Vec<(String, Result<Input, String>)> {
    match read_contents_from(data, options).unwrap() {
        Contents::Members(m) => m
            .into_iter()
            .map(|m| (m.name, m.input.map_err(|e| e.message)))
            .collect(),
        Contents::One(_) => panic!("not read as an archive"),
    }
}

fn kinds(members: &[(String, Result<Input, String>)]) -> Vec<(String, &'static str)> {
    members
        .iter()
        .map(|(n, i)| {
            let kind = match i {
                Ok(Input::Profile(_)) => "profile",
                Ok(Input::Series(_)) => "metrics",
                Err(_) => "error",
            };
            (n.clone(), kind)
        })
        .collect()
}

#[test]
fn zip_tar_and_tar_gz_members_are_read_and_named() {
    let heap = heap();
    let csv = csv();
    let files: &[(&str, &[u8])] = &[
        ("snapshots/heap.pb.gz", &heap),
        ("leak.csv", &csv),
        ("empty.txt", b""),
        (
            "__MACOSX/snapshots/._heap.pb.gz",
            b"\0\x05\x16\x07 resource fork",
        ),
        ("snapshots/._heap.pb.gz", b"\0\x05\x16\x07 resource fork"),
    ];
    let want = vec![
        ("snapshots/heap.pb.gz".to_string(), "profile"),
        ("leak.csv".to_string(), "metrics"),
    ];
    let mut with_folder = vec![("snapshots/", &b""[..])];
    with_folder.extend_from_slice(files);
    let options = ImportOptions::default();
    assert_eq!(kinds(&members(&zip(&with_folder), &options)), want, "zip");
    assert_eq!(kinds(&members(&tar(files), &options)), want, "tar");
    assert_eq!(
        kinds(&members(&gzip(&tar(files)), &options)),
        want,
        "tar.gz"
    );
}

#[test]
fn a_member_that_fails_is_reported_while_the_others_load() {
    let heap = heap();
    let data = zip(&[
        ("heap.pb.gz", &heap),
        ("notes.bin", b"\x00\x01\x02 not a profile \xff"),
        ("perf.data", b"PERFILE2\x68\0\0\0\0\0\0\0"),
    ]);
    let m = members(&data, &ImportOptions::default());
    assert_eq!(
        kinds(&m),
        [
            ("heap.pb.gz".to_string(), "profile"),
            ("notes.bin".to_string(), "error"),
            ("perf.data".to_string(), "error")
        ]
    );
    let perf = m[2].1.as_ref().unwrap_err();
    assert!(perf.starts_with("Linux perf.data"), "{perf}");

    // The page: the good member is a file with its own name, the others
    // are errors with theirs.
    let mut w = Workspace::new();
    let added = w
        .add(
            "run.zip",
            &data[..],
            data.len() as u64,
            &ImportOptions::default(),
        )
        .unwrap();
    let names: Vec<&str> = added.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["run.zip/heap.pb.gz"]);
    let errors: Vec<&str> = added.errors.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(errors, ["run.zip/notes.bin", "run.zip/perf.data"]);
    assert_eq!(w.files().len(), 1);
}

#[test]
fn the_member_count_is_limited() {
    let files: Vec<(String, Vec<u8>)> = (0..5).map(|i| (format!("m{i}.csv"), csv())).collect();
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let options = ImportOptions {
        max_members: 3,
        ..ImportOptions::default()
    };
    for (what, data) in [("zip", zip(&refs)), ("tar", tar(&refs))] {
        let e = read_contents_from(&data[..], &options).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Limit, "{what}: {}", e.message);
        assert!(e.message.contains("--max-members"), "{what}: {}", e.message);
        assert!(
            read_contents_from(&data[..], &ImportOptions::default()).is_ok(),
            "{what}"
        );
    }
}

#[test]
fn a_zip_bomb_hits_the_inflated_size_limit() {
    // 8 MiB of zeros deflate to a few KiB.
    let zeros = vec![0u8; 8 << 20];
    let heap = heap();
    let data = zip(&[("heap.pb.gz", &heap), ("bomb.bin", &zeros)]);
    assert!(data.len() < 100_000, "{}", data.len());
    let options = ImportOptions {
        max_inflated_bytes: 4 << 20,
        ..ImportOptions::default()
    };
    let e = read_contents_from(&data[..], &options).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Limit);
    assert!(e.message.contains("--max-inflated-mb"), "{}", e.message);
    assert!(e.message.contains("zip bomb"), "{}", e.message);
    // The same bomb in a .tar.gz stops at gzip's own limit.
    let tgz = gzip(&tar(&[("bomb.bin", &zeros)]));
    let e = read_contents_from(&tgz[..], &options).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Limit);
    assert!(e.message.contains("--max-inflated-mb"), "{}", e.message);
}

#[test]
fn a_tar_member_cut_short_is_reported() {
    let csv = csv();
    let mut data = tar(&[("leak.csv", &csv)]);
    // Drop the end-of-archive blocks, then a member that says it holds
    // 1 GiB followed by a few hundred bytes.
    data.truncate(data.len() - 1024);
    let mut h = tar::Header::new_ustar();
    h.set_path("huge.bin").unwrap();
    h.set_size(1 << 30);
    h.set_mode(0o644);
    h.set_cksum();
    data.extend_from_slice(h.as_bytes());
    data.extend_from_slice(&[b'x'; 700]);
    let m = members(&data, &ImportOptions::default());
    assert_eq!(
        kinds(&m),
        [
            ("leak.csv".to_string(), "metrics"),
            ("huge.bin".to_string(), "error")
        ]
    );
    let e = m[1].1.as_ref().unwrap_err();
    assert!(
        e.contains("1073741824 bytes") && e.contains("truncated"),
        "{e}"
    );
}

#[test]
fn member_paths_are_names_only() {
    let csv = csv();
    for (what, data) in [
        ("zip", zip(&[("../../etc/leak.csv", &csv)])),
        ("tar", tar(&[("../../etc/leak.csv", &csv)])),
    ] {
        let m = members(&data, &ImportOptions::default());
        assert_eq!(
            kinds(&m),
            [("../../etc/leak.csv".to_string(), "metrics")],
            "{what}"
        );
        let mut w = Workspace::new();
        let added = w
            .add(
                "x.zip",
                &data[..],
                data.len() as u64,
                &ImportOptions::default(),
            )
            .unwrap();
        assert_eq!(added.files[0].name, "x.zip/../../etc/leak.csv", "{what}");
    }
}

#[test]
fn archives_nest_two_levels_at_most() {
    let heap = heap();
    let inner = zip(&[("heap.pb.gz", &heap)]);
    let outer = zip(&[("inner.zip", &inner), ("leak.csv", &csv())]);
    assert_eq!(
        kinds(&members(&outer, &ImportOptions::default())),
        [
            ("inner.zip/heap.pb.gz".to_string(), "profile"),
            ("leak.csv".to_string(), "metrics")
        ]
    );
    let outermost = gzip(&tar(&[("outer.zip", &outer)]));
    let m = members(&outermost, &ImportOptions::default());
    assert_eq!(
        kinds(&m),
        [
            ("outer.zip/inner.zip".to_string(), "error"),
            ("outer.zip/leak.csv".to_string(), "metrics")
        ]
    );
    let e = m[0].1.as_ref().unwrap_err();
    assert!(e.contains("extract"), "{e}");
}

#[test]
fn one_input_readers_take_an_archive_of_one() {
    let heap = heap();
    let one = zip(&[("heap.pb.gz", &heap)]);
    assert!(matches!(
        read_from(&one[..], &ImportOptions::default()),
        Ok(Input::Profile(_))
    ));
    let two = zip(&[("a.pb.gz", &heap), ("b.pb.gz", &heap)]);
    let e = read_from(&two[..], &ImportOptions::default()).unwrap_err();
    assert!(e.message.contains("archive of 2 files"), "{}", e.message);
    // A plain .gz of one file is still just that file.
    assert!(matches!(
        read_contents_from(&gzip(&csv())[..], &ImportOptions::default()),
        Ok(Contents::One(Input::Series(_)))
    ));
}

#[test]
fn broken_and_empty_archives_are_errors() {
    let heap = heap();
    let data = zip(&[("heap.pb.gz", &heap)]);
    let e = read_contents_from(&data[..data.len() - 30], &ImportOptions::default()).unwrap_err();
    assert!(
        e.message
            .starts_with("zip archive: not a valid zip archive"),
        "{}",
        e.message
    );
    let e = read_contents_from(&zip(&[("dir/", b"")])[..], &ImportOptions::default()).unwrap_err();
    assert!(e.message.contains("holds no files"), "{}", e.message);
}

#[test]
fn the_page_budgets_a_zip_by_the_ratio_it_may_inflate() {
    // A zip names its sizes only at its end, which the page does not read
    // before deciding: it budgets for what the ratio check lets through
    // (64 MiB for a small zip), never more than the inflated-size limit.
    let data = zip(&[("leak.csv", &csv())]);
    let options = ImportOptions::default();
    assert_eq!(
        memory_needed(&data, &options),
        // and the strings' budget (a quarter of the inflated-size limit).
        data.len() as u64 + 2 * (64 << 20) + (256 << 20)
    );
    let big = ImportOptions {
        max_ratio: 1 << 40,
        ..ImportOptions::default()
    };
    assert_eq!(
        memory_needed(&data, &big),
        data.len() as u64 + 2 * big.max_inflated_bytes + big.max_inflated_bytes / 4
    );
}

#[test]
fn every_cut_of_an_archive_is_an_error_or_a_reading_never_a_panic() {
    let csv = &csv()[..2000];
    let heap = heap();
    let files: &[(&str, &[u8])] = &[("heap.pb.gz", &heap), ("leak.csv", csv)];
    for (what, data) in [
        ("zip", zip(files)),
        ("tar", tar(files)),
        ("tar.gz", gzip(&tar(files))),
    ] {
        for n in (1..data.len()).step_by(97) {
            // Whatever it says, it says it as a value.
            let _ = read_contents_from(&data[..n], &ImportOptions::default());
        }
        // Flipped bytes in the middle, too.
        let mut bad = data.clone();
        for i in (0..bad.len()).step_by(131) {
            bad[i] ^= 0x5a;
        }
        let _ = read_contents_from(&bad[..], &ImportOptions::default());
        assert!(
            read_contents_from(&data[..], &ImportOptions::default()).is_ok(),
            "{what}"
        );
    }
}

#[test]
fn members_of_one_name_are_numbered_and_a_removed_name_is_free_again() {
    let csv = csv();
    let members: Vec<(&str, &[u8])> = (0..5).map(|_| ("m.csv", csv.as_slice())).collect();
    let data = tar(&members);
    let mut w = Workspace::new();
    // The archive added once more: its members' (id, name).
    let add = |w: &mut Workspace| -> Vec<(u32, String)> {
        let added = w
            .add(
                "run.tar",
                &data[..],
                data.len() as u64,
                &ImportOptions::default(),
            )
            .unwrap();
        added.files.into_iter().map(|f| (f.id, f.name)).collect()
    };
    let names =
        |added: &[(u32, String)]| -> Vec<String> { added.iter().map(|(_, n)| n.clone()).collect() };
    let first = add(&mut w);
    assert_eq!(
        names(&first),
        [
            "run.tar/m.csv",
            "run.tar/m.csv (2)",
            "run.tar/m.csv (3)",
            "run.tar/m.csv (4)",
            "run.tar/m.csv (5)"
        ]
    );
    // Removing the first frees its name for the next file of that name;
    // the numbers go on from the last one given.
    w.remove(first[0].0);
    assert_eq!(
        names(&add(&mut w)),
        [
            "run.tar/m.csv",
            "run.tar/m.csv (6)",
            "run.tar/m.csv (7)",
            "run.tar/m.csv (8)",
            "run.tar/m.csv (9)"
        ]
    );
    let all: std::collections::HashSet<String> = w.files().into_iter().map(|f| f.name).collect();
    assert_eq!(all.len(), 9);
}
