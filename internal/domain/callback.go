package domain

import (
	"net/netip"
	"net/url"
	"slices"
	"strings"
)

// A partner's callback hosts are the host names its callback URLs may
// name: a decision is pushed nowhere else. An entry is an exact host name
// (ddd.example.fr), a suffix wildcard (*.ddd.example.fr: any host under
// it, not ddd.example.fr itself) or an IP address, which is the only way
// an IP-literal callback is accepted. The port is free.

// ParseCallbackHosts reads an allow-list typed by an operator: entries
// separated by commas or spaces, case ignored. The entries are returned
// lower-cased, without duplicates, in the order given.
func ParseCallbackHosts(s string) ([]string, error) {
	var out []string
	var bad []string
	for _, h := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }) {
		h = strings.TrimSuffix(strings.ToLower(h), ".")
		if !validHostEntry(h) {
			bad = append(bad, h)
			continue
		}
		if !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	if len(bad) > 0 {
		return nil, &Error{Code: EINVALID, Message: "liste d'hôtes de rappel invalide",
			Fields: []FieldError{{Field: "callback_hosts", Message: "hôte invalide : " + strings.Join(bad, ", ") +
				" (un nom d'hôte, *.domaine.fr ou une adresse IP)"}}}
	}
	return out, nil
}

// FormatCallbackHosts is the stored form of a list: entries separated by
// a space.
func FormatCallbackHosts(hosts []string) string { return strings.Join(hosts, " ") }

func validHostEntry(h string) bool {
	if _, err := netip.ParseAddr(h); err == nil {
		return true
	}
	if rest, ok := strings.CutPrefix(h, "*."); ok {
		// At least two labels under the wildcard: *.fr would open a
		// whole top-level domain.
		return strings.Contains(rest, ".") && validHostName(rest)
	}
	return validHostName(h)
}

// validHostName accepts the letters, digits and hyphens of DNS labels
// (names already in their ASCII form).
func validHostName(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
				return false
			}
		}
	}
	return true
}

// CallbackHost is the host a callback URL names, lower-cased, without its
// port, brackets or final dot.
func CallbackHost(u *url.URL) string {
	return strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
}

// CallbackHostAllowed reports whether host is on the allow-list hosts. An
// IP address matches only an entry of the same address.
func CallbackHostAllowed(hosts []string, host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "" {
		return false
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		for _, h := range hosts {
			if e, err := netip.ParseAddr(h); err == nil && e.Unmap() == ip.Unmap() {
				return true
			}
		}
		return false
	}
	for _, h := range hosts {
		if suffix, ok := strings.CutPrefix(h, "*."); ok {
			if strings.HasSuffix(host, "."+suffix) {
				return true
			}
			continue
		}
		if h == host {
			return true
		}
	}
	return false
}

// CheckCallbackHost refuses a callback URL whose host is not on the
// partner's allow-list, as an EREFUSED error on callback_url. raw has
// passed NewReferral.Validate.
func CheckCallbackHost(raw string, hosts []string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return &Error{Code: EINVALID, Message: "la demande est invalide",
			Fields: []FieldError{{Field: "callback_url", Message: "adresse de rappel invalide"}}}
	}
	host := CallbackHost(u)
	if CallbackHostAllowed(hosts, host) {
		return nil
	}
	msg := "hôte de rappel non autorisé pour ce partenaire : " + host
	if _, err := netip.ParseAddr(host); err == nil {
		msg += " (une adresse IP n'est acceptée que si elle figure dans la liste du partenaire)"
	}
	return &Error{Code: EREFUSED, Message: "adresse de rappel refusée",
		Fields: []FieldError{{Field: "callback_url", Message: msg}}}
}

// CallbackOrigin is what agents may see of a callback URL: its scheme and
// host (with the port), never the user information, path or query, which
// may carry a partner's credentials. Empty for an empty or unusable URL.
func CallbackOrigin(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host}).String()
}

// ForAgents is the file as agents see it: its callback URL cut to its
// origin. Only the partner that gave the URL sees it whole.
func (c Case) ForAgents() Case {
	c.CallbackURL = CallbackOrigin(c.CallbackURL)
	return c
}

// EventsForAgents is the timeline as agents see it: the callback URL a
// delivery event names ("url") cut to its origin. The events are copied,
// never changed in place.
func EventsForAgents(events []Event) []Event {
	out := make([]Event, len(events))
	for i, ev := range events {
		if raw, ok := ev.Details["url"].(string); ok {
			d := make(map[string]any, len(ev.Details))
			for k, v := range ev.Details {
				d[k] = v
			}
			d["url"] = CallbackOrigin(raw)
			ev.Details = d
		}
		out[i] = ev
	}
	return out
}
