package domain_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/domain"
)

// A correction sets the field right and keeps on the timeline the old
// value, the new and why; a value a registration would refuse is refused.
func TestCorrect_KeepsTheOldValueAndWhy(t *testing.T) {
	c := caseIn(t, domain.StatusInProgress)
	ch, err := c.Apply(day(2), boss, domain.ActionCorrect, domain.ActionArgs{Field: "claimant.number", Value: " 765 43 21 ", Reason: "Numéro mal saisi"})
	require.NoError(t, err)
	assert.Equal(t, "7654321", c.Claimant.Number)
	assert.Equal(t, map[string]any{"field": "claimant.number", "old": "1234567", "new": "7654321", "reason": "Numéro mal saisi"}, ch.Event.Details)
	assert.Equal(t, domain.StatusInProgress, c.Status, "nothing else moves")

	_, err = c.Apply(day(2), boss, domain.ActionCorrect, domain.ActionArgs{Field: "benefit", Value: "rsa", Reason: "Prestation"})
	require.NoError(t, err)
	assert.Equal(t, domain.Benefit("rsa"), c.Benefit)

	for _, bad := range []domain.ActionArgs{
		{Field: "claimant.number", Value: "76543210", Reason: "x"},
		{Field: "benefit", Value: "lottery", Reason: "x"},
		{Field: "claimant.email", Value: "pas une adresse", Reason: "x"},
		{Field: "caf", Value: "074", Reason: "x"},
		{Field: "subject", Value: "Objet"},
	} {
		before := snapshot(t, c)
		_, err := c.Apply(day(2), boss, domain.ActionCorrect, bad)
		assert.Equal(t, domain.EINVALID, domain.ErrorCode(err), "%+v", bad)
		assert.Equal(t, before, snapshot(t, c))
	}
	_, err = c.Apply(day(2), boss, domain.ActionCorrect, domain.ActionArgs{Field: "benefit", Value: "rsa", Reason: "x"})
	assert.Equal(t, domain.ECONFLICT, domain.ErrorCode(err), "already that value")
}

// A transfer moves the file with its deadlines to the other Caf, back to
// its managers there (the officer was the first Caf's).
func TestTransfer_MovesTheFileAndTellsTheManagers(t *testing.T) {
	c := caseIn(t, domain.StatusInProgress)
	deadlines := c.Deadlines
	ch, err := c.Apply(day(2), boss, domain.ActionTransfer, domain.ActionArgs{Caf: "074", Reason: "L'allocataire habite l'Ardèche"})
	require.NoError(t, err)
	assert.Equal(t, "074", c.Caf)
	assert.Empty(t, c.Assignee)
	assert.Equal(t, domain.StatusOpen, c.Status)
	assert.Equal(t, deadlines, c.Deadlines, "its deadlines go with it")
	assert.Equal(t, "751", ch.Event.Details["from_caf"], "the test files' Caf")
	assert.Equal(t, "alice", ch.Event.Details["previous_assignee"])
	require.Len(t, ch.Notifications, 1)
	assert.Equal(t, domain.RoleRecipient(domain.RoleManager), ch.Notifications[0].Recipient)
	_, err = c.Apply(day(2), boss, domain.ActionTransfer, domain.ActionArgs{Caf: "074", Reason: "x"})
	assert.Equal(t, domain.ECONFLICT, domain.ErrorCode(err), "already there")
}

// A merged duplicate is closed, names the file it repeats, and counts in
// no figure.
func TestMerge_ClosesTheDuplicate(t *testing.T) {
	c := caseIn(t, domain.StatusAwaitingClaimant)
	_, err := c.Apply(day(2), boss, domain.ActionMerge, domain.ActionArgs{Into: "c-first", Reason: "Doublon de la réclamation du 2 mars"})
	require.NoError(t, err)
	assert.Equal(t, domain.StatusMerged, c.Status)
	assert.Equal(t, "c-first", c.MergedInto)
	assert.False(t, c.ClockPaused, "its wait for the claimant ends")
	assert.True(t, c.Status.Final())
	_, err = c.Apply(day(3), boss, domain.ActionReopen, domain.ActionArgs{Reason: "x"})
	assert.Equal(t, domain.ECONFLICT, domain.ErrorCode(err))
}
