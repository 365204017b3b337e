//! Proxies as Go's net/http takes them, and so hashicorp/aws: `http://` and `https://` proxy URLs
//! (TLS to an `https://` proxy, so its credentials never cross the wire in clear), `NO_PROXY`
//! matched as golang.org/x/net/http/httpproxy matches it, and a proxy's userinfo never shown.

use std::fmt;
use std::net::IpAddr;

use base64::Engine;
use http::{HeaderValue, Uri};

/// A checked proxy URL. `Debug` and `Display` show it with its userinfo redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct ProxyUrl {
    /// `scheme://host[:port]` without userinfo: what the connector dials and what a log may show.
    dial: Uri,
    /// `Proxy-Authorization: Basic …` from the userinfo, marked sensitive.
    auth: Option<HeaderValue>,
}

impl ProxyUrl {
    /// Parses a proxy URL as Go does (no scheme means `http://`). The error never repeats the
    /// URL (callers show `redact(text)`), and refuses what would go out other than promised:
    /// SOCKS, which a CONNECT cannot speak, and any scheme but http and https.
    pub fn parse(text: &str) -> Result<ProxyUrl, String> {
        let full = if text.contains("://") {
            text.to_owned()
        } else {
            format!("http://{text}")
        };
        let uri: Uri = full.parse().map_err(|_| "it is not a URL".to_owned())?;
        let scheme = uri.scheme_str().unwrap_or_default().to_ascii_lowercase();
        match scheme.as_str() {
            "http" | "https" => {}
            "socks5" | "socks5h" | "socks4" | "socks4a" | "socks" => {
                return Err(format!(
                    "SOCKS proxies ({scheme}://) are not supported: use an http:// or https:// \
                     proxy"
                ));
            }
            other => return Err(format!("the scheme {other:?} is not http or https")),
        }
        let authority = uri
            .authority()
            .ok_or_else(|| "it has no host".to_owned())?
            .as_str();
        let (userinfo, host_port) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        if uri.host().is_none_or(str::is_empty) || host_port.starts_with(':') {
            return Err("it has no host".to_owned());
        }
        if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
            return Err("a proxy URL has no path or query".to_owned());
        }
        let dial: Uri = format!("{scheme}://{host_port}")
            .parse()
            .map_err(|_| "it is not a URL".to_owned())?;
        let auth = userinfo.map(basic_auth).transpose()?;
        Ok(ProxyUrl { dial, auth })
    }

    /// Where to connect: `scheme://host[:port]`, no userinfo.
    pub fn dial(&self) -> &Uri {
        &self.dial
    }

    /// Whether the connection to the proxy itself is TLS.
    pub fn is_tls(&self) -> bool {
        self.dial.scheme() == Some(&http::uri::Scheme::HTTPS)
    }

    /// The `Proxy-Authorization` value, if the URL carries credentials.
    pub fn basic_auth(&self) -> Option<&HeaderValue> {
        self.auth.as_ref()
    }
}

impl fmt::Display for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = self.dial.scheme_str().unwrap_or("http");
        let host = self.dial.authority().map_or("", |a| a.as_str());
        match self.auth {
            Some(_) => write!(f, "{scheme}://{REDACTED}@{host}"),
            None => write!(f, "{scheme}://{host}"),
        }
    }
}

impl fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProxyUrl({self})")
    }
}

const REDACTED: &str = "xxxxx";

/// The one diagnostic detail for a proxy URL that `ProxyUrl::parse` refused, whether `name` is an
/// argument or an environment variable: the rule, the value without its userinfo, and why.
pub fn invalid_detail(name: &str, text: &str, why: &str) -> String {
    format!(
        "{name} must be an http:// or https:// URL with a host, such as \
         https://proxy.example:3128; got {}: {why}.",
        crate::diagnostics::quote(&redact(text))
    )
}

/// `user:password` (percent-encoded, as in a URL) as a Basic credential.
fn basic_auth(userinfo: &str) -> Result<HeaderValue, String> {
    let decode = |part: &str| {
        percent_encoding::percent_decode_str(part)
            .decode_utf8()
            .map(|s| s.into_owned())
            .map_err(|_| "its userinfo is not UTF-8 once decoded".to_owned())
    };
    let (user, password) = match userinfo.split_once(':') {
        Some((u, p)) => (decode(u)?, decode(p)?),
        None => (decode(userinfo)?, String::new()),
    };
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    let mut value = HeaderValue::try_from(format!("Basic {token}"))
        .map_err(|_| "its userinfo cannot be sent".to_owned())?;
    value.set_sensitive(true);
    Ok(value)
}

/// `text` with the userinfo of its URL (if it has one) replaced by `xxxxx`: what a message may
/// show of a proxy URL, parseable or not.
pub fn redact(text: &str) -> String {
    let start = text.find("://").map_or(0, |i| i + 3);
    let end = text[start..]
        .find(['/', '?', '#'])
        .map_or(text.len(), |i| start + i);
    match text[start..end].rfind('@') {
        Some(at) => format!("{}{REDACTED}{}", &text[..start], &text[start + at..]),
        None => text.to_owned(),
    }
}

/// `NO_PROXY` / `no_proxy` as golang.org/x/net/http/httpproxy reads it: comma-separated entries;
/// `*` alone matches everything; an IP or CIDR matches addresses; `host:port` matches that port
/// only; `example.com` matches it and its subdomains, `.example.com` and `*.example.com` only its
/// subdomains. Empty and malformed entries are ignored, as Go ignores them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NoProxy {
    all: bool,
    ips: Vec<(IpMatch, Option<u16>)>,
    domains: Vec<DomainMatch>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum IpMatch {
    Net(ipnet::IpNet),
    Addr(IpAddr),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct DomainMatch {
    /// Lower case, with a leading dot.
    suffix: String,
    /// Whether the bare domain (the suffix without its dot) matches too.
    bare: bool,
    port: Option<u16>,
}

impl NoProxy {
    pub fn parse(list: &str) -> NoProxy {
        let mut out = NoProxy::default();
        for entry in list.split(',') {
            let entry = entry.trim().to_ascii_lowercase();
            if entry.is_empty() {
                continue;
            }
            if entry == "*" {
                return NoProxy {
                    all: true,
                    ..NoProxy::default()
                };
            }
            if let Ok(net) = entry.parse::<ipnet::IpNet>() {
                out.ips.push((IpMatch::Net(net), None));
                continue;
            }
            let (host, port) = split_host_port(&entry);
            let Ok(port) = port.map(str::parse::<u16>).transpose() else {
                continue;
            };
            if let Ok(ip) = host.parse::<IpAddr>() {
                out.ips.push((IpMatch::Addr(ip), port));
                continue;
            }
            if host.is_empty() {
                continue;
            }
            let host = host.strip_prefix('*').unwrap_or(host);
            let (suffix, bare) = match host.strip_prefix('.') {
                Some(_) => (host.to_owned(), false),
                None => (format!(".{host}"), true),
            };
            if suffix.len() > 1 {
                out.domains.push(DomainMatch { suffix, bare, port });
            }
        }
        out
    }

    /// Whether a request to `host` on `port` (the scheme's default when the URL has none) goes
    /// direct.
    pub fn matches(&self, host: &str, port: u16) -> bool {
        if self.all {
            return true;
        }
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        let port_ok = |want: Option<u16>| want.is_none_or(|p| p == port);
        if let Ok(ip) = host.parse::<IpAddr>() {
            let ip_hit = self.ips.iter().any(|(m, p)| {
                port_ok(*p)
                    && match m {
                        IpMatch::Net(net) => net.contains(&ip),
                        IpMatch::Addr(a) => *a == ip,
                    }
            });
            if ip_hit {
                return true;
            }
        }
        self.domains.iter().any(|d| {
            (host.ends_with(&d.suffix) || (d.bare && host == d.suffix[1..])) && port_ok(d.port)
        })
    }
}

/// `host:port`, `[v6]:port`, or a bare host (an IPv6 literal without brackets stays whole).
fn split_host_port(entry: &str) -> (&str, Option<&str>) {
    if let Some(rest) = entry.strip_prefix('[') {
        return match rest.split_once(']') {
            Some((host, tail)) => (host, tail.strip_prefix(':')),
            None => (entry, None),
        };
    }
    match entry.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => (host, Some(port)),
        _ => (entry, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_proxy_matches_as_go_httpproxy_does() {
        let list = NoProxy::parse(
            " example.com, .internal.test ,*.corp.test,cache.test:8443, 10.0.0.0/8, 192.168.1.7:443, [::2]:443,,:99",
        );
        for (host, port, want) in [
            ("example.com", 443, true),
            ("api.example.com", 443, true),
            ("notexample.com", 443, false),
            ("internal.test", 443, false),
            ("a.internal.test", 443, true),
            ("corp.test", 443, false),
            ("x.y.corp.test", 80, true),
            ("cache.test", 8443, true),
            ("cache.test", 443, false),
            ("sub.cache.test", 8443, true),
            ("10.2.3.4", 443, true),
            ("11.2.3.4", 443, false),
            ("192.168.1.7", 443, true),
            ("192.168.1.7", 80, false),
            ("[::2]", 443, true),
            ("::2", 80, false),
            ("EXAMPLE.COM", 443, true),
        ] {
            assert_eq!(list.matches(host, port), want, "{host}:{port}");
        }
        assert!(NoProxy::parse("a.test, *").matches("anything.example", 1));
        assert!(!NoProxy::parse("").matches("example.com", 443));
    }

    #[test]
    fn proxy_urls_are_checked_and_never_shown_with_their_userinfo() {
        let p = ProxyUrl::parse("https://alice:s%3Acret@proxy.corp:3128").unwrap();
        assert!(p.is_tls());
        assert_eq!(p.dial().authority().unwrap().as_str(), "proxy.corp:3128");
        assert_eq!(p.to_string(), "https://xxxxx@proxy.corp:3128");
        assert_eq!(format!("{p:?}"), "ProxyUrl(https://xxxxx@proxy.corp:3128)");
        let auth = p.basic_auth().unwrap();
        assert!(auth.is_sensitive());
        // base64("alice:s:cret")
        assert_eq!(auth.to_str().unwrap(), "Basic YWxpY2U6czpjcmV0");
        // No scheme is http://, as in Go.
        let bare = ProxyUrl::parse("proxy.corp:3128").unwrap();
        assert!(!bare.is_tls());
        assert_eq!(bare.basic_auth(), None);
        for (bad, why) in [
            ("socks5://u:p@proxy:1080", "SOCKS proxies"),
            ("socks5h://proxy:1080", "SOCKS proxies"),
            ("ftp://proxy:21", "is not http or https"),
            ("proxy corp 8080", "not a URL"),
            ("http://:3128", "no host"),
            ("http://proxy:3128/path", "no path"),
        ] {
            let err = ProxyUrl::parse(bad).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
            assert!(!err.contains("u:p") && !err.contains(bad), "{bad}: {err}");
        }
        assert_eq!(
            redact("http://user:pa@ss@proxy:1/x?y"),
            "http://xxxxx@proxy:1/x?y"
        );
        assert_eq!(redact("user:pw@proxy:1"), "xxxxx@proxy:1");
        assert_eq!(redact("http://proxy:1"), "http://proxy:1");
        assert_eq!(redact("not a url @ all"), "xxxxx@ all");
    }
}
