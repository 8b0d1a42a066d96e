package domain_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/domain"
)

func TestClone_SharesNothingTheCaseMutates(t *testing.T) {
	c := inProgress(t, "online")
	c.Opinions = []domain.Opinion{{ID: "o1", Service: "juridique", Status: "requested"}}
	before := snapshot(t, c)

	cl := c.Clone()
	assert.Equal(t, before, snapshot(t, cl), "a clone is equal")

	// Everything the domain does to the clone leaves the original alone.
	cl.Tick(day(8))
	mustApply(t, &cl, day(9), alice, domain.ActionRequestDocuments, domain.ActionArgs{Note: "Avis"})
	mustApply(t, &cl, day(11), alice, domain.ActionDocumentsReceived, domain.ActionArgs{})
	cl.Tick(day(30))
	mustApply(t, &cl, day(31), alice, domain.ActionAnswer, domain.ActionArgs{Answer: goodAnswer})
	cl.Deadlines[0].Name = "changed"
	cl.Opinions[0].Status = "answered"
	cl.Policy.TargetDays = 1
	assert.Equal(t, before, snapshot(t, c))

	var empty domain.Case
	require.Nil(t, empty.Clone().Policy)
	assert.Nil(t, empty.Clone().Deadlines)
}
