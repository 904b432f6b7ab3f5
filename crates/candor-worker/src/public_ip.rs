//! Whether an address is on the public internet, for outbound requests to
//! tenant-chosen hosts (webhooks): anything else could reach this machine,
//! the private network it sits in, or infrastructure that speaks for it.
//!
//! The tables below follow the IANA IPv4 and IPv6 Special-Purpose Address
//! Registries (RFC 6890, as updated by RFC 8190; checked against the
//! registries as of 2025-10) plus a few blocks that are special but live in
//! other registries (multicast, site-local, the IPv4-embedding forms of
//! IPv6). Each row is `(network, prefix length, "name — RFC")`, in address
//! order as the registries list them, so the list can be audited row by
//! row. A row nested in a larger one (say Teredo in 2001::/23) is listed
//! all the same, as the registry lists it. The tests name, for every row,
//! an address whose most specific row it must be, so deleting any row
//! (nested or not) fails a test.
//!
//! Decisions where the registry leaves room:
//!
//! - **Covering blocks are refused whole.** 192.0.0.0/24 and 2001::/23 are
//!   "IETF Protocol Assignments", not usable except through a more specific
//!   reservation. A handful of those reservations are marked globally
//!   reachable: 192.0.0.9 and 2001:1::1 (PCP anycast), 192.0.0.10 and
//!   2001:1::2 (TURN anycast), 2001:1::3 (DNS-SD SRP anycast), 2001:3::/32
//!   (AMT), 2001:4:112::/48 (AS112-v6), 2001:20::/28 (ORCHIDv2) and
//!   2001:30::/28 (drone entity tags). They are protocol anycasts, DNS
//!   sinks and overlay identifiers; none hosts a tenant's HTTP receiver, so
//!   refusing the whole block costs nothing and keeps one row per block.
//! - **Globally reachable blocks outside those stay public**:
//!   192.31.196.0/24 (AS112-v4), 192.52.193.0/24 (AMT), 192.175.48.0/24
//!   and 2620:4f:8000::/48 (AS112 direct delegation). They are ordinary
//!   internet hosts as far as a client is concerned.
//! - **IPv4 inside IPv6.** An IPv4-mapped address (`::ffff:a.b.c.d`) is
//!   how a dual-stack socket names an IPv4 peer, and the well-known NAT64
//!   prefix (`64:ff9b::a.b.c.d`, RFC 6052) is what DNS64 answers for an
//!   IPv4-only host: a connection to either goes to `a.b.c.d`, so they are
//!   judged by that embedded IPv4 address (RFC 6052 forbids the well-known
//!   prefix for non-global IPv4 addresses, which is exactly what this
//!   refuses). Every other form that carries or implies an IPv4 address is
//!   refused outright, whatever it embeds: IPv4-compatible `::a.b.c.d`
//!   (::/96, deprecated by RFC 4291), IPv4-translated `::ffff:0:a.b.c.d`
//!   (RFC 2765, obsolete), the local-use NAT64 prefix 64:ff9b:1::/48 (its
//!   mapping is whatever the operator configured), 6to4 2002::/16
//!   (deprecated, RFC 7526; the embedded address is a relay, not the peer)
//!   and Teredo 2001::/32 (part of 2001::/23 anyway).
//! - Space that no registry reserves is public, including IPv6 space IANA
//!   has not allocated (outside 2000::/3 and the rows here, e.g. fe00::/9):
//!   it has no route on the internet. Refusing everything outside
//!   2000::/3 would be stricter than the registries; it is not done here.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// True when `ip` is an address on the public internet: in no IPv4 or
/// IPv6 row below, or an IPv4-mapped or well-known-NAT64 IPv6 address
/// whose embedded IPv4 address is public.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

/// IPv4 blocks that are not public.
#[rustfmt::skip]
const IPV4_NOT_PUBLIC: &[(Ipv4Addr, u8, &str)] = &[
    (Ipv4Addr::new(0, 0, 0, 0),         8,  "\"this network\" — RFC 791 §3.2"),
    (Ipv4Addr::new(0, 0, 0, 0),         32, "\"this host on this network\" — RFC 1122 §3.2.1.3"),
    (Ipv4Addr::new(10, 0, 0, 0),        8,  "private use — RFC 1918"),
    (Ipv4Addr::new(100, 64, 0, 0),      10, "shared address space (carrier-grade NAT) — RFC 6598"),
    (Ipv4Addr::new(127, 0, 0, 0),       8,  "loopback — RFC 1122 §3.2.1.3"),
    (Ipv4Addr::new(169, 254, 0, 0),     16, "link local — RFC 3927"),
    (Ipv4Addr::new(172, 16, 0, 0),      12, "private use — RFC 1918"),
    // Refused whole, the globally reachable PCP and TURN anycast
    // addresses 192.0.0.9 and 192.0.0.10 included (see the module).
    (Ipv4Addr::new(192, 0, 0, 0),       24, "IETF protocol assignments — RFC 6890 §2.1"),
    (Ipv4Addr::new(192, 0, 0, 0),       29, "IPv4 service continuity prefix (DS-Lite) — RFC 7335"),
    (Ipv4Addr::new(192, 0, 0, 8),       32, "IPv4 dummy address — RFC 7600"),
    (Ipv4Addr::new(192, 0, 0, 170),     32, "NAT64/DNS64 discovery — RFC 8880, RFC 7050 §2.2"),
    (Ipv4Addr::new(192, 0, 0, 171),     32, "NAT64/DNS64 discovery — RFC 8880, RFC 7050 §2.2"),
    (Ipv4Addr::new(192, 0, 2, 0),       24, "documentation (TEST-NET-1) — RFC 5737"),
    // Terminated in the registry (no reachability given): refused.
    (Ipv4Addr::new(192, 88, 99, 0),     24, "6to4 relay anycast, deprecated — RFC 7526"),
    (Ipv4Addr::new(192, 88, 99, 2),     32, "6a44 relay anycast — RFC 6751"),
    (Ipv4Addr::new(192, 168, 0, 0),     16, "private use — RFC 1918"),
    (Ipv4Addr::new(198, 18, 0, 0),      15, "benchmarking — RFC 2544"),
    (Ipv4Addr::new(198, 51, 100, 0),    24, "documentation (TEST-NET-2) — RFC 5737"),
    (Ipv4Addr::new(203, 0, 113, 0),     24, "documentation (TEST-NET-3) — RFC 5737"),
    // From the multicast registry, not the special-purpose one.
    (Ipv4Addr::new(224, 0, 0, 0),       4,  "multicast — RFC 5771"),
    (Ipv4Addr::new(240, 0, 0, 0),       4,  "reserved — RFC 1112 §4"),
    (Ipv4Addr::new(255, 255, 255, 255), 32, "limited broadcast — RFC 919 §7, RFC 8190"),
];

/// IPv6 blocks that are not public, whatever the rest of the address says.
#[rustfmt::skip]
const IPV6_NOT_PUBLIC: &[(Ipv6Addr, u8, &str)] = &[
    (Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 1),           128, "loopback — RFC 4291"),
    (Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 0),           128, "unspecified — RFC 4291"),
    // Not in the registry; refused outright whatever it embeds.
    (Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 0),           96,  "IPv4-compatible, deprecated — RFC 4291 §2.5.5.1"),
    // Not in the registry; refused outright whatever it embeds.
    (Ipv6Addr::new(0, 0, 0, 0, 0xffff, 0, 0, 0),      96,  "IPv4-translated, obsolete — RFC 2765"),
    (Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0),   48,  "IPv4/IPv6 translation, local use — RFC 8215"),
    (Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0),       64,  "discard only — RFC 6666"),
    (Ipv6Addr::new(0x100, 0, 0, 1, 0, 0, 0, 0),       64,  "dummy IPv6 prefix — RFC 9780"),
    // Refused whole, its globally reachable anycast, AMT, AS112-v6,
    // ORCHIDv2 and drone-tag blocks included (see the module).
    (Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0),      23,  "IETF protocol assignments — RFC 2928"),
    (Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0),      32,  "Teredo — RFC 4380, RFC 8190"),
    (Ipv6Addr::new(0x2001, 2, 0, 0, 0, 0, 0, 0),      48,  "benchmarking — RFC 5180"),
    (Ipv6Addr::new(0x2001, 0x10, 0, 0, 0, 0, 0, 0),   28,  "ORCHID, deprecated — RFC 4843"),
    (Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0),  32,  "documentation — RFC 3849"),
    // Reachability "N/A" in the registry; refused outright.
    (Ipv6Addr::new(0x2002, 0, 0, 0, 0, 0, 0, 0),      16,  "6to4, deprecated — RFC 3056, RFC 7526"),
    (Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0),      20,  "documentation — RFC 9637"),
    (Ipv6Addr::new(0x5f00, 0, 0, 0, 0, 0, 0, 0),      16,  "segment routing (SRv6) SIDs — RFC 9602"),
    (Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0),      7,   "unique local — RFC 4193"),
    (Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0),      10,  "link-local unicast — RFC 4291"),
    // Not in the registry: deprecated, but a stack may still route it.
    (Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0),      10,  "site-local, deprecated — RFC 3879"),
    // From the multicast registry, not the special-purpose one.
    (Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0),      8,   "multicast — RFC 4291"),
];

/// IPv6 blocks whose last 32 bits are the IPv4 address actually reached:
/// public exactly when that IPv4 address is.
#[rustfmt::skip]
const IPV6_EMBEDDING_IPV4: &[(Ipv6Addr, u8, &str)] = &[
    (Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0, 0),      96,  "IPv4-mapped — RFC 4291 §2.5.5.2"),
    // Globally reachable in the registry; DNS64 answers with it.
    (Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0),   96,  "IPv4/IPv6 translation, well-known prefix — RFC 6052"),
];

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let bits = u32::from(ip);
    !IPV4_NOT_PUBLIC.iter().any(|&(network, len, _)| {
        let mask = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
        bits & mask == u32::from(network)
    })
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let bits = u128::from(ip);
    let within = |&(network, len, _): &(Ipv6Addr, u8, &str)| {
        let mask = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
        bits & mask == u128::from(network)
    };
    if IPV6_NOT_PUBLIC.iter().any(within) {
        return false;
    }
    if IPV6_EMBEDDING_IPV4.iter().any(within) {
        // The low 32 bits, truncated on purpose.
        return is_public_v4(Ipv4Addr::from(bits as u32));
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(text: &str) -> Ipv4Addr {
        text.parse().unwrap()
    }

    fn v6(text: &str) -> Ipv6Addr {
        text.parse().unwrap()
    }

    fn public(text: &str) -> bool {
        is_public(text.parse().unwrap())
    }

    fn mask4(len: u8) -> u32 {
        u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0)
    }

    fn mask6(len: u8) -> u128 {
        u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0)
    }

    /// First and last address of a row.
    fn span4(network: Ipv4Addr, len: u8) -> (u32, u32) {
        let first = u32::from(network);
        (first, first | !mask4(len))
    }

    fn span6(network: Ipv6Addr, len: u8) -> (u128, u128) {
        let first = u128::from(network);
        (first, first | !mask6(len))
    }

    fn ipv6_rows() -> impl Iterator<Item = &'static (Ipv6Addr, u8, &'static str)> {
        IPV6_NOT_PUBLIC.iter().chain(IPV6_EMBEDDING_IPV4)
    }

    /// The most specific row holding `ip` (the one that names its block).
    fn row_of(ip: Ipv6Addr) -> Option<(Ipv6Addr, u8)> {
        let bits = u128::from(ip);
        ipv6_rows()
            .filter(|(network, len, _)| bits & mask6(*len) == u128::from(*network))
            .max_by_key(|(_, len, _)| *len)
            .map(|(network, len, _)| (*network, *len))
    }

    fn row_of_v4(ip: Ipv4Addr) -> Option<(Ipv4Addr, u8)> {
        let bits = u32::from(ip);
        IPV4_NOT_PUBLIC
            .iter()
            .filter(|(network, len, _)| bits & mask4(*len) == u32::from(*network))
            .max_by_key(|(_, len, _)| *len)
            .map(|(network, len, _)| (*network, *len))
    }

    fn cidr(text: &str) -> (&str, u8) {
        let (network, len) = text.split_once('/').unwrap();
        (network, len.parse().unwrap())
    }

    #[test]
    fn rows_are_well_formed() {
        for &(network, len, name) in IPV4_NOT_PUBLIC {
            assert!(len <= 32 && !name.is_empty(), "{network}/{len}");
            assert_eq!(u32::from(network) & !mask4(len), 0, "{network}/{len}");
        }
        for &(network, len, name) in ipv6_rows() {
            assert!(len <= 128 && !name.is_empty(), "{network}/{len}");
            assert_eq!(u128::from(network) & !mask6(len), 0, "{network}/{len}");
        }
    }

    #[test]
    fn every_ipv4_row_is_refused_from_first_to_last_and_no_further() {
        let listed = |bits: u32| {
            IPV4_NOT_PUBLIC
                .iter()
                .any(|&(n, l, _)| bits & mask4(l) == u32::from(n))
        };
        for &(network, len, name) in IPV4_NOT_PUBLIC {
            let (first, last) = span4(network, len);
            for inside in [first, last] {
                let ip = Ipv4Addr::from(inside);
                assert!(!is_public(ip.into()), "{ip} in {network}/{len} ({name})");
            }
            for outside in [first.checked_sub(1), last.checked_add(1)]
                .into_iter()
                .flatten()
                .filter(|&bits| !listed(bits))
            {
                let ip = Ipv4Addr::from(outside);
                assert!(is_public(ip.into()), "{ip} next to {network}/{len}");
            }
        }
    }

    #[test]
    fn every_ipv6_row_is_refused_from_first_to_last_and_no_further() {
        let listed = |bits: u128| ipv6_rows().any(|&(n, l, _)| bits & mask6(l) == u128::from(n));
        // The embedding rows' first and last addresses embed 0.0.0.0 and
        // 255.255.255.255, neither public, so they are refused too.
        for &(network, len, name) in ipv6_rows() {
            let (first, last) = span6(network, len);
            for inside in [first, last] {
                let ip = Ipv6Addr::from(inside);
                assert!(!is_public(ip.into()), "{ip} in {network}/{len} ({name})");
            }
            for outside in [first.checked_sub(1), last.checked_add(1)]
                .into_iter()
                .flatten()
                .filter(|&bits| !listed(bits))
            {
                let ip = Ipv6Addr::from(outside);
                assert!(is_public(ip.into()), "{ip} next to {network}/{len}");
            }
        }
    }

    #[test]
    fn embedded_ipv4_addresses_are_judged_as_ipv4() {
        for (wrapped, verdict) in [
            ("::ffff:8.8.8.8", true),
            ("::ffff:1.1.1.1", true),
            ("::ffff:127.0.0.1", false),
            ("::ffff:10.0.0.1", false),
            ("::ffff:169.254.169.254", false),
            ("::ffff:100.64.0.1", false),
            ("64:ff9b::8.8.8.8", true),
            ("64:ff9b::127.0.0.1", false),
            ("64:ff9b::10.0.0.1", false),
            ("64:ff9b::192.168.1.1", false),
            ("64:ff9b::169.254.169.254", false),
        ] {
            assert_eq!(public(wrapped), verdict, "{wrapped}");
        }
    }

    /// The forms that used to pass as public, by literal address: each must
    /// be refused and decided by its own row, so dropping the row fails
    /// here even where a covering row would still refuse the address.
    #[test]
    fn tunnel_and_translation_forms_are_refused_by_their_own_rows() {
        for (address, row) in [
            // IPv4-compatible, embedding loopback and a public address.
            ("::127.0.0.1", ("::", 96)),
            ("::8.8.8.8", ("::", 96)),
            ("::10.0.0.1", ("::", 96)),
            // 6to4 sites behind 127.0.0.1, 10.0.0.1 and 8.8.8.8.
            ("2002:7f00:1::1", ("2002::", 16)),
            ("2002:a00:1::1", ("2002::", 16)),
            ("2002:808:808::1", ("2002::", 16)),
            // NAT64, well-known prefix: judged by the embedded address.
            ("64:ff9b::7f00:1", ("64:ff9b::", 96)),
            ("64:ff9b::a9fe:a9fe", ("64:ff9b::", 96)),
            // NAT64, local use: refused whatever it embeds.
            ("64:ff9b:1::808:808", ("64:ff9b:1::", 48)),
            ("64:ff9b:1:ffff::a00:1", ("64:ff9b:1::", 48)),
            // Teredo (RFC 4380's example address) and its first address.
            ("2001:0:4136:e378:8000:63bf:3fff:fdd2", ("2001::", 32)),
            ("2001::", ("2001::", 32)),
            // IPv4-translated.
            ("::ffff:0:7f00:1", ("::ffff:0:0:0", 96)),
        ] {
            assert!(!public(address), "{address} is not public");
            assert_eq!(
                row_of(v6(address)),
                Some((v6(row.0), row.1)),
                "{address} is decided by {}/{}",
                row.0,
                row.1
            );
        }
    }

    /// The registry rows again, written independently of the tables as one
    /// address per block and the block that must name it: deleting a row,
    /// even one nested in a larger row, fails here.
    #[test]
    fn every_listed_block_is_matched_by_its_own_row() {
        for (address, block) in [
            ("0.1.2.3", "0.0.0.0/8"),
            ("0.0.0.0", "0.0.0.0/32"),
            ("10.1.2.3", "10.0.0.0/8"),
            ("100.64.0.1", "100.64.0.0/10"),
            ("127.0.0.1", "127.0.0.0/8"),
            ("169.254.169.254", "169.254.0.0/16"),
            ("172.16.0.1", "172.16.0.0/12"),
            ("192.0.0.9", "192.0.0.0/24"),
            ("192.0.0.1", "192.0.0.0/29"),
            ("192.0.0.8", "192.0.0.8/32"),
            ("192.0.0.170", "192.0.0.170/32"),
            ("192.0.0.171", "192.0.0.171/32"),
            ("192.0.2.1", "192.0.2.0/24"),
            ("192.88.99.1", "192.88.99.0/24"),
            ("192.88.99.2", "192.88.99.2/32"),
            ("192.168.1.1", "192.168.0.0/16"),
            ("198.18.0.1", "198.18.0.0/15"),
            ("198.51.100.1", "198.51.100.0/24"),
            ("203.0.113.1", "203.0.113.0/24"),
            ("224.0.0.1", "224.0.0.0/4"),
            ("240.0.0.1", "240.0.0.0/4"),
            ("255.255.255.255", "255.255.255.255/32"),
        ] {
            let (network, len) = cidr(block);
            assert!(!public(address), "{address} is not public");
            assert_eq!(
                row_of_v4(v4(address)),
                Some((v4(network), len)),
                "{address}"
            );
        }
        for (address, block) in [
            ("::1", "::1/128"),
            ("::", "::/128"),
            ("::2", "::/96"),
            ("::ffff:0:a00:1", "::ffff:0:0:0/96"),
            ("64:ff9b:1::1", "64:ff9b:1::/48"),
            ("100::1", "100::/64"),
            ("100:0:0:1::1", "100:0:0:1::/64"),
            ("2001:1::1", "2001::/23"),
            ("2001:0:4136:e378::1", "2001::/32"),
            ("2001:2::1", "2001:2::/48"),
            ("2001:10::1", "2001:10::/28"),
            ("2001:db8::1", "2001:db8::/32"),
            ("2002:a00:1::1", "2002::/16"),
            ("3fff::1", "3fff::/20"),
            ("5f00::1", "5f00::/16"),
            ("fd12:3456::1", "fc00::/7"),
            ("fe80::1", "fe80::/10"),
            ("fec0::1", "fec0::/10"),
            ("ff02::1", "ff00::/8"),
            // Embedding rows, with a private IPv4 address inside.
            ("::ffff:10.0.0.1", "::ffff:0:0/96"),
            ("64:ff9b::10.0.0.1", "64:ff9b::/96"),
        ] {
            let (network, len) = cidr(block);
            assert!(!public(address), "{address} is not public");
            assert_eq!(row_of(v6(address)), Some((v6(network), len)), "{address}");
        }
    }

    /// Independent of the tables: more addresses from the blocks the
    /// tables must cover, edges and well-known targets among them.
    #[test]
    fn special_purpose_addresses_are_not_public() {
        for address in [
            "0.0.0.0",
            "0.1.2.3",
            "10.1.2.3",
            "100.64.0.1",
            "100.127.255.254",
            "127.0.0.1",
            "127.255.255.254",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.254",
            "192.0.0.1",
            "192.0.0.8",
            "192.0.0.9",
            "192.0.0.10",
            "192.0.0.170",
            "192.0.0.255",
            "192.0.2.1",
            "192.88.99.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.19.255.254",
            "198.51.100.1",
            "203.0.113.1",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.254",
            "255.255.255.255",
            "::",
            "::1",
            "::2",
            "::ffff:0.0.0.0",
            "100::1",
            "100:0:0:1::1",
            "2001:1::1",
            "2001:1::2",
            "2001:1::3",
            "2001:2::1",
            "2001:3::1",
            "2001:4:112::1",
            "2001:10::1",
            "2001:20::1",
            "2001:30::1",
            "2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff",
            "2001:db8::1",
            "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
            "3fff::1",
            "3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff",
            "5f00::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            "fec0::1",
            "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            "ff02::1",
            "ff0e::1",
        ] {
            assert!(!public(address), "{address} is not public");
        }
    }

    #[test]
    fn real_public_addresses_are_public() {
        for address in [
            "8.8.8.8",
            "1.1.1.1",
            "93.184.216.34",
            "2606:4700:4700::1111",
            "2a00:1450::1",
            "2001:200::1",
            "2001:4860:4860::8888",
            // Globally reachable in the registry, outside refused blocks.
            "192.31.196.1",
            "192.52.193.1",
            "192.175.48.1",
            "2620:4f:8000::1",
        ] {
            assert!(public(address), "{address} is public");
        }
        assert!(is_public_v4(v4("11.0.0.0")) && is_public_v4(v4("223.255.255.255")));
    }
}
