package activities

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// A partner's callback host is on its allow-list, but what the name
// resolves to is the partner's DNS to decide: a name may be made to point
// at the service's own network (loopback, private ranges, the cloud
// metadata address) between the check and the connection. So the address
// is checked again on the socket about to connect, after resolution: the
// address actually dialled, whatever the name resolved to and however
// often it changes.

// refusedRanges are the addresses no callback may reach: this machine,
// private and shared networks, link-local (where cloud metadata answers,
// 169.254.169.254), multicast, reserved and documentation ranges. IPv6
// forms of an IPv4 address are judged on the IPv4 one (see
// CheckCallbackAddress).
var refusedRanges = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8",          // "this network", the unspecified address
		"10.0.0.0/8",         // private (RFC 1918)
		"100.64.0.0/10",      // shared address space, carrier-grade NAT (RFC 6598)
		"127.0.0.0/8",        // loopback
		"169.254.0.0/16",     // link-local, cloud metadata
		"172.16.0.0/12",      // private (RFC 1918)
		"192.0.0.0/24",       // IETF protocol assignments
		"192.0.2.0/24",       // documentation
		"192.168.0.0/16",     // private (RFC 1918)
		"198.18.0.0/15",      // benchmarking
		"198.51.100.0/24",    // documentation
		"203.0.113.0/24",     // documentation
		"224.0.0.0/4",        // multicast
		"240.0.0.0/4",        // reserved
		"255.255.255.255/32", // broadcast
		"::/96",              // unspecified, loopback, IPv4-compatible (deprecated)
		"64:ff9b:1::/48",     // local-use IPv4/IPv6 translation
		"100::/64",           // discard-only
		"2001::/23",          // IETF protocol assignments (Teredo, benchmarking, ORCHID)
		"2001:db8::/32",      // documentation
		"3fff::/20",          // documentation
		"5f00::/16",          // segment routing
		"fc00::/7",           // unique local
		"fe80::/10",          // link-local
		"fec0::/10",          // site-local (deprecated)
		"ff00::/8",           // multicast
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// IPv6 ranges that carry the IPv4 address actually reached: NAT64 in the
// last 32 bits, 6to4 in bits 16 to 48 (IPv4-mapped is netip's Unmap).
var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// RefusedAddressError is a connection refused because of where it went.
// Its text names the address, never the URL (which may carry a partner's
// token) nor anything of the decision.
type RefusedAddressError struct{ Addr netip.Addr }

func (e *RefusedAddressError) Error() string {
	return fmt.Sprintf("adresse de rappel refusée : %s est une adresse interne (boucle locale, réseau privé, lien local ou métadonnées)", e.Addr)
}

// CheckCallbackAddress refuses an address a callback may not reach. An
// IPv4 address written as IPv6 (::ffff:127.0.0.1, NAT64, 6to4) is judged
// on the IPv4 one.
func CheckCallbackAddress(ip netip.Addr) error {
	ip = ip.WithZone("")
	target := ip.Unmap()
	if a := target.As16(); target.Is6() {
		switch {
		case nat64.Contains(target):
			target = netip.AddrFrom4([4]byte{a[12], a[13], a[14], a[15]})
		case sixToFour.Contains(target):
			target = netip.AddrFrom4([4]byte{a[2], a[3], a[4], a[5]})
		}
	}
	if !target.IsValid() || !target.IsGlobalUnicast() {
		return &RefusedAddressError{Addr: ip}
	}
	for _, p := range refusedRanges {
		if p.Contains(target) {
			return &RefusedAddressError{Addr: ip}
		}
	}
	return nil
}

// dialControl checks the address of a socket about to connect.
func dialControl(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return errors.New("adresse de rappel illisible")
	}
	return CheckCallbackAddress(ap.Addr())
}

// newDeliveryClient posts decisions: 15 s per request, and a redirect is
// returned as is (and counted as a failure), never followed. Its transport
// ignores the proxy of the environment (a proxy would connect on its
// behalf, unchecked); unless allowPrivate (the embedded default, whose
// demo partner listens on this machine), it connects to no internal
// address.
func newDeliveryClient(allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		dialer.Control = dialControl
	}
	return &http.Client{
		Timeout: deliveryTimeout,
		Transport: &http.Transport{
			Proxy:                 nil,
			DialContext:           dialer.DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          10,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ExpectContinueTimeout: time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// The two clients: one per policy, built once so connections are reused.
var (
	deliveryClient        = newDeliveryClient(false)
	privateDeliveryClient = newDeliveryClient(true)
)
