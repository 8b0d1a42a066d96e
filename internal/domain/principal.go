package domain

// Principal is who asks: the signed-in user or the token's owner. Their
// roles are per Caf, held by the policy and looked up where a Caf is
// known; Partner is the partner organisation of a liaison's account (the
// Défenseur des droits), empty for a Caf's agents.
type Principal struct {
	Login   string
	Partner string
	// Address is the client's address, for the access trail.
	Address string
	// TokenBy is who made the token the request came with, when not the
	// user itself (a national administrator): the access trail names both.
	TokenBy string
}
