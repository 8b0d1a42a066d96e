package activities_test

import (
	"context"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"recours/activities"
	"recours/internal/store"
)

func TestCheckCallbackAddress(t *testing.T) {
	refused := []string{
		"127.0.0.1", "127.1.2.3", "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.254", "192.168.1.10",
		"169.254.169.254", "169.254.0.1", "100.64.0.1", "100.127.255.254", "0.0.0.0", "0.1.2.3",
		"224.0.0.1", "239.255.255.250", "255.255.255.255", "240.0.0.1", "198.18.0.1", "192.0.0.8",
		"::1", "::", "fe80::1", "fe80::1%eth0", "fc00::1", "fd00:ec2::254", "ff02::1",
		"::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1",
		"64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "2002:7f00:1::1", "2002:a00:1::",
	}
	for _, s := range refused {
		ip := netip.MustParseAddr(s)
		err := activities.CheckCallbackAddress(ip)
		var re *activities.RefusedAddressError
		if assert.ErrorAs(t, err, &re, s) {
			assert.Contains(t, err.Error(), "adresse de rappel refusée")
		}
	}
	for _, s := range []string{"93.184.216.34", "8.8.8.8", "100.63.255.255", "100.128.0.1", "172.32.0.1", "2606:4700:4700::1111",
		"2a01:cb00::1", "::ffff:93.184.216.34", "64:ff9b::5db8:d822"} {
		assert.NoError(t, activities.CheckCallbackAddress(netip.MustParseAddr(s)), s)
	}
}

// strict delivers as production does: to no internal address.
func strict(st *store.Store) *activities.Activities { return &activities.Activities{Store: st} }

// A callback host on the partner's list that leads to this machine (an
// IP address, or a name such as localhost that resolves to loopback) is
// refused on the address dialled: nothing is sent, the failure is not
// retried, and neither the URL's token nor the decision is in the error.
func TestDeliverAttempt_InternalAddressIsRefusedWhenDialled(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		recv, srv := newReceiver(t, 200)
		u, err := url.Parse(srv.URL)
		require.NoError(t, err)
		for i, target := range []string{
			srv.URL + "/callback?token=partner-token",
			"http://localhost:" + u.Port() + "/callback?token=partner-token",
		} {
			id := "01a20000-0000-7000-8000-0000000000f" + string(rune('1'+i))
			res, err := strict(st).DeliverAttempt(context.Background(), activities.DeliveryRequest{URL: target, Partner: partner, Decision: decision(id)}, 1)
			appErr := applicationError(t, err)
			assert.True(t, appErr.NonRetryable(), target)
			assert.Equal(t, activities.ErrTypeInvalidCallback, appErr.Type())
			assert.Contains(t, err.Error(), "adresse de rappel refusée")
			assert.Zero(t, res.StatusCode)
			for _, leak := range []string{"partner-token", "DDD-2026-0042", "La réclamation", secret} {
				assert.NotContains(t, err.Error(), leak)
			}
			rows, err := st.DeliveryAttempts(context.Background(), id)
			require.NoError(t, err)
			require.Len(t, rows, 1, "the attempt is recorded")
			assert.False(t, rows[0].Delivered)
			assert.Contains(t, rows[0].Error, "adresse de rappel refusée")
			assert.NotContains(t, rows[0].URL+rows[0].Error, "partner-token")
		}
		assert.Empty(t, recv.requests(), "no request reached the internal address")
	})
}

func TestDeliverDecision_ActivityRefusesInternalAddresses(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		recv, srv := newReceiver(t, 204)
		var suite testsuite.WorkflowTestSuite
		env := suite.NewTestActivityEnvironment()
		a := strict(st)
		env.RegisterActivity(a)
		_, err := env.ExecuteActivity(a.DeliverDecision, activities.DeliveryRequest{URL: srv.URL, Partner: partner,
			Decision: decision("01a20000-0000-7000-8000-0000000000f5")})
		appErr := applicationError(t, err)
		assert.True(t, appErr.NonRetryable())
		assert.Equal(t, activities.ErrTypeInvalidCallback, appErr.Type())
		assert.Empty(t, recv.requests())
	})
}

// The partner's list is checked again at each attempt, as it is then: a
// host taken off it receives nothing more.
func TestDeliverAttempt_HostOffThePartnersListIsRefused(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		recv, srv := newReceiver(t, 200)
		require.NoError(t, st.SetPartnerCallbackHosts(ctx, partner, []string{"ddd.example"}))
		id := "01a20000-0000-7000-8000-0000000000f6"
		_, err := loopback(st).DeliverAttempt(ctx, activities.DeliveryRequest{URL: srv.URL + "/cb", Partner: partner, Decision: decision(id)}, 1)
		appErr := applicationError(t, err)
		assert.True(t, appErr.NonRetryable())
		assert.Equal(t, activities.ErrTypeInvalidCallback, appErr.Type())
		assert.Contains(t, err.Error(), "hôte de rappel non autorisé pour ce partenaire : 127.0.0.1")
		assert.Empty(t, recv.requests())
		rows, err := st.DeliveryAttempts(ctx, id)
		require.NoError(t, err)
		require.Len(t, rows, 1)
		assert.Contains(t, rows[0].Error, "hôte de rappel non autorisé")
	})
}

func TestDeliverAttempt_CredentialsInTheURLAreRefused(t *testing.T) {
	eachStore(t, func(t *testing.T, st *store.Store) {
		recv, srv := newReceiver(t, 200)
		target := strings.Replace(srv.URL, "http://", "http://liaison:pa55word@", 1) + "/cb"
		id := "01a20000-0000-7000-8000-0000000000f7"
		_, err := loopback(st).DeliverAttempt(context.Background(), activities.DeliveryRequest{URL: target, Partner: partner, Decision: decision(id)}, 1)
		appErr := applicationError(t, err)
		assert.True(t, appErr.NonRetryable())
		assert.NotContains(t, err.Error(), "pa55word")
		assert.Empty(t, recv.requests())
		rows, err := st.DeliveryAttempts(context.Background(), id)
		require.NoError(t, err)
		require.Len(t, rows, 1)
		assert.NotContains(t, rows[0].URL, "pa55word", "the record keeps the origin only")
	})
}
