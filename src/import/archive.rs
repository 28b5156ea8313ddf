//! Archives of inputs: `.zip`, `.tar`, and `.tar.gz` (gzip is inflated
//! before this module sees the bytes, as for any input).
//!
//! An archive is not a format of its own: each member is read as an input
//! of its own, under the archive's limits (the total inflated size, the
//! zip bomb ratio, a member count), and a member that fails is reported
//! beside the others instead of failing them all. Nothing is written
//! anywhere, so a member's path (`../x`, `/etc/y`) is only ever a name.

use std::cell::Cell;
use std::io::{self, Read};

use crate::error::{Error, Result};
use crate::import::{limit_hit, ImportOptions, RATIO_FLOOR};

/// Which kind of archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Zip,
    Tar,
}

/// An archive's kind from its first bytes: zip's local file header or
/// empty-archive record, or a POSIX/GNU tar header (`ustar` at 257).
pub fn kind(head: &[u8]) -> Option<Kind> {
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Some(Kind::Zip);
    }
    if head.get(257..262) == Some(b"ustar") && tar_checksum_matches(head) {
        return Some(Kind::Tar);
    }
    None
}

/// A tar header's checksum (octal, bytes 148..156: the sum of the header's
/// bytes with that field read as spaces): `ustar` at 257 alone could be a
/// profile's own text, a checksum that adds up is not.
fn tar_checksum_matches(head: &[u8]) -> bool {
    let Some(header) = head.get(..512) else {
        return false;
    };
    let field = String::from_utf8_lossy(&header[148..156]);
    let Ok(stored) = u32::from_str_radix(field.trim_matches(|c: char| c == ' ' || c == '\0'), 8)
    else {
        return false;
    };
    let sum: u32 = header
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u32::from(b)
            }
        })
        .sum();
    sum == stored
}

/// One file of an archive, read as an input of its own.
#[derive(Debug)]
pub struct Member<T> {
    /// Its path inside the archive, as the archive spells it.
    pub name: String,
    /// Its size in bytes, uncompressed.
    pub size: u64,
    pub input: Result<T>,
}

/// Reads the members of an archive from `reader` (the input after its
/// first bytes were sniffed), handing each member's bytes to `read` and
/// keeping what it returns. Directories, empty files and macOS metadata
/// (`__MACOSX/`, `._name`) are skipped.
pub fn members<T>(
    kind: Kind,
    reader: impl Read,
    options: &ImportOptions,
    read: impl FnMut(&[u8]) -> Result<T>,
) -> Result<Vec<Member<T>>> {
    let members = match kind {
        Kind::Zip => zip_members(reader, options, read)?,
        Kind::Tar => tar_members(reader, options, read)?,
    };
    if members.is_empty() {
        return Err(Error::unknown_format(
            "the archive holds no files (only folders, empty files or macOS metadata)",
        ));
    }
    Ok(members)
}

fn skipped(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name);
    name.starts_with("__MACOSX/") || base.starts_with("._") || name.ends_with('/')
}

fn zip_members<T>(
    mut reader: impl Read,
    options: &ImportOptions,
    mut read: impl FnMut(&[u8]) -> Result<T>,
) -> Result<Vec<Member<T>>> {
    // A zip's directory is at its end: it is read whole (the page and the
    // CLI hold at most max_inflated_bytes of it, like any inflated input).
    let mut all = Vec::new();
    (&mut reader)
        .take(options.max_inflated_bytes.saturating_add(1))
        .read_to_end(&mut all)
        .map_err(|e| Error::malformed(format!("reading the zip archive failed: {e}")))?;
    if all.len() as u64 > options.max_inflated_bytes {
        return Err(limit_hit(
            "the zip archive is larger than the limit for decompressed data",
            crate::units::label(options.max_inflated_bytes as i64, "bytes"),
            "--max-inflated-mb",
        ));
    }
    let archive = rawzip::ZipArchive::from_slice(&all[..]).map_err(|e| not_a_zip(&e))?;
    // The whole directory is read before any member: a broken one is a
    // broken archive, and the count is known before anything is inflated.
    let mut count = 0u64;
    for entry in archive.entries() {
        entry.map_err(|e| not_a_zip(&e))?;
        count += 1;
    }
    if count != archive.entries_hint() {
        return Err(Error::malformed(format!(
            "not a valid zip archive: its end record counts {} files but its directory lists \
             {count} (corrupted?)",
            archive.entries_hint()
        )));
    }
    check_count(count as usize, options)?;
    let budget = Budget::new(options, all.len() as u64);
    let mut out = Vec::new();
    // Already read whole above, so the directory yields no error here.
    for entry in archive.entries().flatten() {
        // The name first: a member whose data cannot be read is still named.
        let raw_name = entry.file_path();
        let name = zip_name(raw_name.as_ref());
        let method = entry.compression_method();
        let local = match archive.get_entry(entry.wayfinder()) {
            Err(e) => Err(format!(
                "cannot be read from the zip archive: {}",
                zip_reason(&e)
            )),
            Ok(_) if entry.flags().is_encrypted() => {
                Err("it is encrypted, which is not supported: extract it first".to_string())
            }
            Ok(_)
                if method != rawzip::CompressionMethod::STORE
                    && method != rawzip::CompressionMethod::DEFLATE =>
            {
                Err(format!(
                    "it is compressed with {}, which is not supported (only stored and \
                     deflated members are read): extract it first",
                    method_name(method)
                ))
            }
            Ok(local) => Ok(local),
        };
        let local = match local {
            Ok(local) => local,
            Err(message) => {
                out.push(Member {
                    name,
                    size: 0,
                    input: Err(Error::malformed(crate::error::one_line(&message))),
                });
                continue;
            }
        };
        // A folder's name ends in `/` (or `\\`, from some Windows tools).
        let folder = matches!(raw_name.as_ref().last(), Some(b'/' | b'\\'));
        if folder || entry.uncompressed_size_hint() == 0 || skipped(&name) {
            continue;
        }
        let data: Box<dyn Read> = if method == rawzip::CompressionMethod::STORE {
            Box::new(local.data())
        } else {
            Box::new(flate2::bufread::DeflateDecoder::new(local.data()))
        };
        let mut data = Verified {
            data,
            crc: crc32fast::Hasher::new(),
            size: 0,
            claim: local.claim_verifier(),
        };
        let bytes = budget.read_member(&mut data)?;
        let size = bytes.as_ref().map_or(0, |b| b.len() as u64);
        out.push(Member {
            input: bytes.and_then(|b| read(&b)),
            name,
            size,
        });
    }
    Ok(out)
}

/// A member's inflated bytes, checked against the size and CRC-32 its
/// directory entry claims as they end (or as they run past that size).
/// rawzip's own verifying reader does the same with a second CRC table;
/// crc32fast's is in the page already, for gzip.
struct Verified<R> {
    data: R,
    crc: crc32fast::Hasher,
    size: u64,
    claim: rawzip::ZipVerification,
}

impl<R: Read> Read for Verified<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.data.read(buf)?;
        self.crc.update(&buf[..n]);
        self.size += n as u64;
        if (n == 0 && !buf.is_empty()) || self.size >= self.claim.uncompressed_size {
            let got = rawzip::ZipVerification {
                crc: self.crc.clone().finalize(),
                uncompressed_size: self.size,
            };
            self.claim
                .valid(got)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        }
        Ok(n)
    }
}

fn not_a_zip(e: &rawzip::Error) -> Error {
    Error::malformed(crate::error::one_line(&format!(
        "not a valid zip archive: {}",
        zip_reason(e)
    )))
}

/// A reason, in words, for a zip archive or member that cannot be read.
fn zip_reason(e: &rawzip::Error) -> String {
    use rawzip::ErrorKind as K;
    match e.kind() {
        K::MissingEndOfCentralDirectory => {
            "its directory (at the end of the file) is missing (truncated?)".to_string()
        }
        K::InvalidEndOfCentralDirectory => "its directory is broken (truncated?)".to_string(),
        K::Eof => "the data ends early (truncated?)".to_string(),
        K::InvalidSignature { .. } => {
            "a header is not where the directory says it is (corrupted?)".to_string()
        }
        K::InvalidChecksum { expected, actual } => {
            format!("its CRC-32 is {actual:08x} but the directory says {expected:08x} (corrupted?)")
        }
        K::InvalidSize { expected, actual } => {
            format!("it inflates to {actual} bytes but the directory says {expected} (corrupted?)")
        }
        K::IO(e) => e.to_string(),
        // The rest (buffer sizes, UTF-8) are the writer's or a locator's.
        _ => e.to_string().to_lowercase(),
    }
}

/// A compression method, named as zip tools name it.
fn method_name(method: rawzip::CompressionMethod) -> String {
    let name = match method.as_u16() {
        1 => "Shrink",
        2..=5 => "Reduce",
        6 => "Implode",
        9 => "Deflate64",
        12 => "bzip2",
        14 => "LZMA",
        20 | 93 => "Zstandard",
        95 => "XZ",
        96 => "JPEG",
        98 => "PPMd",
        99 => "AES encryption",
        _ => "",
    };
    if name.is_empty() {
        format!("compression method {}", method.as_u16())
    } else {
        format!("{name} (compression method {})", method.as_u16())
    }
}

/// A member's name: UTF-8 when it is, else code page 437 (the zip
/// format's own, from old Windows archivers), as the zip crate read it.
fn zip_name(raw: &[u8]) -> String {
    match std::str::from_utf8(raw) {
        Ok(name) => name.to_string(),
        Err(_) => raw
            .iter()
            .map(|&b| {
                if b < 0x80 {
                    char::from(b)
                } else {
                    CP437_HIGH.chars().nth(usize::from(b - 0x80)).unwrap_or('?')
                }
            })
            .collect(),
    }
}

/// Code page 437's bytes 0x80..=0xFF.
const CP437_HIGH: &str = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»\
    ░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀\
    αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{a0}";

fn tar_members<T>(
    reader: impl Read,
    options: &ImportOptions,
    mut read: impl FnMut(&[u8]) -> Result<T>,
) -> Result<Vec<Member<T>>> {
    let mut archive = tar::Archive::new(reader);
    // A tar is not compressed (a .tar.gz was inflated, under gzip's own
    // limits, before it got here), so only the size budget applies.
    let budget = Budget::new(options, u64::MAX);
    let mut out = Vec::new();
    let entries = archive
        .entries()
        .map_err(|e| Error::malformed(format!("not a valid tar archive: {e}")))?;
    for (index, entry) in entries.enumerate() {
        check_count(index + 1, options)?;
        let mut entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                // The headers are a chain: after a broken one nothing more
                // can be found.
                out.push(Member {
                    name: format!("(member {})", index + 1),
                    size: 0,
                    input: Err(Error::malformed(crate::error::one_line(&format!(
                        "the tar archive is broken here: {}",
                        budget.io_reason(&e)
                    )))),
                });
                break;
            }
        };
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let declared = entry.header().size().unwrap_or(0);
        if !entry.header().entry_type().is_file() || declared == 0 || skipped(&name) {
            continue;
        }
        let bytes = budget.read_member(&mut entry)?;
        // tar's reader stops quietly where the data ends; a member cut
        // short is said to be, and nothing after it can follow.
        let short = matches!(&bytes, Ok(b) if (b.len() as u64) < declared);
        let size = bytes.as_ref().map_or(0, |b| b.len() as u64);
        let input = match bytes {
            Ok(b) if short => Err(Error::malformed(format!(
                "the tar header says it holds {declared} bytes but the archive ends after {} \
                 (truncated?)",
                b.len()
            ))),
            Ok(b) => read(&b),
            Err(e) => Err(e),
        };
        out.push(Member { name, size, input });
        if short {
            break;
        }
    }
    Ok(out)
}

fn check_count(count: usize, options: &ImportOptions) -> Result<()> {
    if count as u64 > options.max_members {
        return Err(limit_hit(
            "the archive has more members than the limit",
            options.max_members,
            "--max-members",
        ));
    }
    Ok(())
}

/// The limits every member of one archive shares: the total inflated size
/// and, for a compressed archive, the ratio of that total to the
/// archive's own size (a zip bomb).
struct Budget {
    inflated: Cell<u64>,
    max: u64,
    max_ratio: u64,
    archive_len: u64,
    hit: Cell<Option<Hit>>,
    options: ImportOptions,
}

#[derive(Debug, Clone, Copy)]
enum Hit {
    Size,
    Ratio,
}

impl Budget {
    fn new(options: &ImportOptions, archive_len: u64) -> Self {
        Budget {
            inflated: Cell::new(0),
            max: options.max_inflated_bytes,
            max_ratio: options.max_ratio.max(1),
            archive_len,
            hit: Cell::new(None),
            options: options.clone(),
        }
    }

    /// A member's bytes. `Err` of the outer result: a limit of the whole
    /// archive was hit (no member after it can be read either); of the
    /// inner: this member could not be read.
    fn read_member(&self, member: &mut impl Read) -> Result<Result<Vec<u8>>> {
        let mut bytes = Vec::new();
        let mut buf = [0u8; 64 * 1024];
        loop {
            let n = match member.read(&mut buf) {
                Ok(0) => return Ok(Ok(bytes)),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    if let Some(limit) = crate::import::inflate_limit_of(&e, &self.options) {
                        return Err(limit);
                    }
                    return Ok(Err(Error::malformed(crate::error::one_line(&format!(
                        "reading it from the archive failed: {}",
                        self.io_reason(&e)
                    )))));
                }
            };
            let total = self.inflated.get() + n as u64;
            self.inflated.set(total);
            if total > self.max {
                self.hit.set(Some(Hit::Size));
            } else if total > RATIO_FLOOR && total / self.max_ratio > self.archive_len {
                self.hit.set(Some(Hit::Ratio));
            }
            if let Some(hit) = self.hit.get() {
                return Err(self.limit_error(hit));
            }
            bytes.extend_from_slice(&buf[..n]);
        }
    }

    fn limit_error(&self, hit: Hit) -> Error {
        match hit {
            Hit::Size => limit_hit(
                "the archive's files inflate to more than the limit for decompressed data \
                 (a zip bomb?)",
                crate::units::label(self.max as i64, "bytes"),
                "--max-inflated-mb",
            ),
            Hit::Ratio => limit_hit(
                &format!(
                    "the archive's files inflate more than {}× its size past {} (a zip bomb?)",
                    self.max_ratio,
                    crate::units::label(RATIO_FLOOR as i64, "bytes")
                ),
                format!("{}×", self.max_ratio),
                "--max-ratio",
            ),
        }
    }

    fn io_reason(&self, e: &io::Error) -> String {
        // A zip member's size or CRC-32 that does not match its directory's.
        if let Some(e) = e.get_ref().and_then(|e| e.downcast_ref::<rawzip::Error>()) {
            return zip_reason(e);
        }
        match e.kind() {
            io::ErrorKind::UnexpectedEof => "the data ends early (truncated?)".to_string(),
            _ => e.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_told_by_magic() {
        assert_eq!(kind(b"PK\x03\x04rest"), Some(Kind::Zip));
        assert_eq!(kind(b"PK\x05\x06\0\0"), Some(Kind::Zip));
        let mut tar = vec![0u8; 512];
        tar[257..262].copy_from_slice(b"ustar");
        // `ustar` without a checksum that adds up is not a tar header.
        assert_eq!(kind(&tar), None);
        let sum: u32 = tar.iter().map(|&b| u32::from(b)).sum::<u32>() + 8 * 32;
        tar[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
        assert_eq!(kind(&tar), Some(Kind::Tar));
        assert_eq!(kind(b"PK\x01\x02"), None);
        assert_eq!(kind(&[0u8; 512]), None);
    }

    #[test]
    fn zip_names_are_utf8_or_code_page_437() {
        assert_eq!(CP437_HIGH.chars().count(), 128);
        assert_eq!(zip_name("dir/heap.pb.gz".as_bytes()), "dir/heap.pb.gz");
        assert_eq!(zip_name("réseau/€.csv".as_bytes()), "réseau/€.csv");
        assert_eq!(zip_name(b"r\x82seau\xe1\xff.csv"), "réseauß\u{a0}.csv");
    }

    #[test]
    fn unsupported_methods_are_named() {
        let m = |id| method_name(rawzip::CompressionMethod::new(id));
        assert_eq!(m(12), "bzip2 (compression method 12)");
        assert_eq!(m(93), "Zstandard (compression method 93)");
        assert_eq!(m(77), "compression method 77");
    }

    /// A zip of one stored member, patched by `patch` (the bytes, the
    /// local header's offset, the central directory entry's).
    #[cfg(not(target_arch = "wasm32"))]
    fn patched_zip(patch: impl Fn(&mut Vec<u8>, usize, usize)) -> Result<Vec<Member<Vec<u8>>>> {
        use std::io::Write;
        let mut w = zip::ZipWriter::new(io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        w.start_file("dir/leak.csv", options).unwrap();
        w.write_all(b"time,value\n1,2\n3,4\n").unwrap();
        let mut data = w.finish().unwrap().into_inner();
        let central = data.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
        patch(&mut data, 0, central);
        members(Kind::Zip, &data[..], &ImportOptions::default(), |b| {
            Ok(b.to_vec())
        })
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn member_error(patch: impl Fn(&mut Vec<u8>, usize, usize)) -> String {
        let m = patched_zip(patch).unwrap();
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].name, "dir/leak.csv");
        let e = m[0].input.as_ref().unwrap_err().message.clone();
        assert!(
            e.len() < 200 && !e.contains('\n') && !e.contains("::"),
            "{e}"
        );
        e
    }

    #[test]
    #[cfg(not(target_arch = "wasm32"))]
    fn zip_members_are_checked_and_named_when_unreadable() {
        let m = patched_zip(|_, _, _| {}).unwrap();
        assert_eq!(m[0].input.as_ref().unwrap(), b"time,value\n1,2\n3,4\n");
        // A changed byte of the data: its CRC-32 no longer matches.
        let e = member_error(|d, local, _| d[local + 30 + 12 + 3] ^= 1);
        assert!(e.contains("CRC-32") && e.contains("corrupted"), "{e}");
        // Another method (bzip2, 12) in both headers: named, not inflated.
        let e = member_error(|d, local, central| {
            d[local + 8] = 12;
            d[central + 10] = 12;
        });
        assert!(e.contains("bzip2 (compression method 12)"), "{e}");
        // Encrypted (flag bit 0).
        let e = member_error(|d, local, central| {
            d[local + 6] |= 1;
            d[central + 8] |= 1;
        });
        assert!(e.contains("encrypted"), "{e}");
        // The local header's signature broken: still named.
        let e = member_error(|d, local, _| d[local] = b'X');
        assert!(e.contains("cannot be read from the zip archive"), "{e}");
        // A directory that says more bytes than the data inflates to.
        let e = member_error(|d, _, central| d[central + 24] += 1);
        assert!(
            e.contains("inflates to 19 bytes but the directory says 20"),
            "{e}"
        );
        // An end record that counts one file more than the directory lists.
        let e = patched_zip(|d, _, _| {
            let end = d.len() - 22;
            d[end + 8] += 1;
            d[end + 10] += 1;
        })
        .unwrap_err();
        assert!(
            e.message
                .contains("counts 2 files but its directory lists 1"),
            "{}",
            e.message
        );
        // A broken directory is a broken archive.
        let e = patched_zip(|d, _, central| d[central + 1] = b'X').unwrap_err();
        assert!(
            e.message.starts_with("not a valid zip archive: "),
            "{}",
            e.message
        );
    }

    #[test]
    fn metadata_and_folders_are_skipped() {
        assert!(skipped("__MACOSX/heap.pprof"));
        assert!(skipped("dir/._heap.pprof"));
        assert!(skipped("dir/"));
        assert!(!skipped("dir/heap.pprof"));
    }
}
