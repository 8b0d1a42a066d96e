package activities

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A proxy from the environment (HTTPS_PROXY) would connect on the
// delivery's behalf, past the check of the address dialled: the delivery
// clients use none, and connect through the checking dialer.
func TestDeliveryClients_UseNoProxyAndTheCheckingDialer(t *testing.T) {
	for name, c := range map[string]*http.Client{"production": deliveryClient, "embedded default": privateDeliveryClient} {
		tr, ok := c.Transport.(*http.Transport)
		require.True(t, ok, name)
		assert.Nil(t, tr.Proxy, name)
		assert.NotNil(t, tr.DialContext, name)
		assert.NotNil(t, c.CheckRedirect, "%s: redirects are not followed", name)
	}
}
