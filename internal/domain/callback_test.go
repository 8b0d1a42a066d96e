package domain_test

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/domain"
)

func TestParseCallbackHosts(t *testing.T) {
	got, err := domain.ParseCallbackHosts(" DDD.example.fr, *.delegations.example.fr 10.1.2.3,,::1 ddd.example.fr. ")
	require.NoError(t, err)
	assert.Equal(t, []string{"ddd.example.fr", "*.delegations.example.fr", "10.1.2.3", "::1"}, got, "lower-cased, without duplicates")
	got, err = domain.ParseCallbackHosts("")
	require.NoError(t, err)
	assert.Empty(t, got)

	for _, bad := range []string{"*", "*.fr", "https://ddd.example.fr", "ddd.example.fr/cb", "ddd_example.fr", "-ddd.example.fr", "ddd..example.fr", "*.*.example.fr", "user@ddd.example.fr"} {
		_, err := domain.ParseCallbackHosts(bad)
		assert.Equal(t, domain.EINVALID, domain.ErrorCode(err), "%q", bad)
	}
}

func TestCallbackHostAllowed(t *testing.T) {
	hosts := []string{"ddd.example.fr", "*.delegations.example.fr", "203.0.113.7", "2001:db8::7"}
	for _, tt := range []struct {
		host string
		ok   bool
	}{
		{"ddd.example.fr", true},
		{"DDD.Example.FR.", true},
		{"nord.delegations.example.fr", true},
		{"a.b.delegations.example.fr", true},
		{"delegations.example.fr", false}, // the wildcard is for hosts under it
		{"ddd.example.fr.evil.example", false},
		{"evilddd.example.fr", false},
		{"xdelegations.example.fr", false},
		{"203.0.113.7", true},
		{"::ffff:203.0.113.7", true}, // the same IPv4 address
		{"2001:db8:0::7", true},
		{"203.0.113.8", false},
		{"169.254.169.254", false},
		{"127.0.0.1", false},
		{"", false},
	} {
		assert.Equal(t, tt.ok, domain.CallbackHostAllowed(hosts, tt.host), "%q", tt.host)
	}
	assert.False(t, domain.CallbackHostAllowed(nil, "ddd.example.fr"), "an empty list allows nothing")
	assert.False(t, domain.CallbackHostAllowed([]string{"*.example.fr"}, "10.0.0.1"), "a wildcard never covers an IP address")
}

func TestCheckCallbackHost_RefusesWhatIsOffTheList(t *testing.T) {
	hosts := []string{"ddd.example.fr"}
	require.NoError(t, domain.CheckCallbackHost("https://ddd.example.fr:8443/cb?token=x", hosts))
	for raw, names := range map[string]string{
		"https://evil.example.com/cb":              "evil.example.com",
		"https://169.254.169.254/latest/meta-data": "169.254.169.254",
		"https://[::1]/cb":                         "::1",
	} {
		err := domain.CheckCallbackHost(raw, hosts)
		var de *domain.Error
		require.ErrorAs(t, err, &de, raw)
		assert.Equal(t, domain.EREFUSED, de.Code)
		require.Len(t, de.Fields, 1)
		assert.Equal(t, "callback_url", de.Fields[0].Field)
		assert.Contains(t, de.Fields[0].Message, "hôte de rappel non autorisé pour ce partenaire : "+names)
	}
}

func TestNewReferral_CallbackWithCredentialsIsRefused(t *testing.T) {
	n := validReferral()
	n.CallbackURL = "https://liaison:s3cret@ddd.example/callback"
	err := n.Validate(t0, false)
	var de *domain.Error
	require.ErrorAs(t, err, &de)
	assert.Equal(t, domain.EINVALID, de.Code)
	require.Len(t, de.Fields, 1)
	assert.Equal(t, "callback_url", de.Fields[0].Field)
	assert.NotContains(t, de.Fields[0].Message, "s3cret")
	n.CallbackURL = "https://liaison@ddd.example/callback"
	assert.Error(t, n.Validate(t0, true), "a user alone, even in the embedded default")
}

func TestCallbackOrigin_NeverTheCredentialsPathOrQuery(t *testing.T) {
	for raw, want := range map[string]string{
		"https://liaison:s3cret@ddd.example.fr:8443/hooks/abc?token=t0k3n#x": "https://ddd.example.fr:8443",
		"http://[::1]:9000/cb":          "http://[::1]:9000",
		"https://ddd.example.fr":        "https://ddd.example.fr",
		"":                              "",
		"not a url":                     "",
		"https://ddd example/%zz":       "",
		"mailto:liaison@ddd.example.fr": "",
	} {
		assert.Equal(t, want, domain.CallbackOrigin(raw), "%q", raw)
	}
}

func TestForAgents_CutsTheCallbackToItsOrigin(t *testing.T) {
	c := domain.Case{ID: "x", CallbackURL: "https://u:p@ddd.example.fr/hooks/abc?token=t"}
	seen := c.ForAgents()
	assert.Equal(t, "https://ddd.example.fr", seen.CallbackURL)
	assert.Equal(t, "https://u:p@ddd.example.fr/hooks/abc?token=t", c.CallbackURL, "the file itself is not changed")

	events := []domain.Event{
		{Seq: 1, Action: "decided"},
		{Seq: 2, Action: "callback_failed", Details: map[string]any{"url": "https://ddd.example.fr/hooks/abc?token=t", "error": "HTTP 500"}},
	}
	out := domain.EventsForAgents(events)
	assert.Equal(t, "https://ddd.example.fr", out[1].Details["url"])
	assert.Equal(t, "HTTP 500", out[1].Details["error"])
	assert.Equal(t, "https://ddd.example.fr/hooks/abc?token=t", events[1].Details["url"], "the events read are not changed")
	u, err := url.Parse(out[1].Details["url"].(string))
	require.NoError(t, err)
	assert.Empty(t, u.RawQuery)
}
