package cases

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"recours/internal/domain"
)

// A file closed for longer than the reopening window says how the
// claimant's recourse goes on, since mediation has no time limit.
func TestClosedMessage_SaysHowTheLadderGoesOn(t *testing.T) {
	assert.Contains(t, closedMessage(domain.ActionEscalate), "related_case_id")
	assert.Contains(t, closedMessage(domain.ActionReferToDDD), "Défenseur des droits")
	assert.Equal(t, "le dossier est clos : plus aucune action n'est possible", closedMessage(domain.ActionAnswer))
}
