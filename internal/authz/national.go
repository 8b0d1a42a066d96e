package authz

import "context"

// National reports whether login may do act on obj in every Caf: a
// national administrator is one who holds the admin role in each of them
// (`recours user grant --caf all`). Some acts reach past any Caf, such as
// tying an account to a partner organisation, whose referrals may name
// every Caf: those are for a national administrator alone.
func (a *Authorizer) National(ctx context.Context, login, obj, act string) (bool, error) {
	cafs, err := a.st.OrganisationCodes(ctx)
	if err != nil || len(cafs) == 0 {
		return false, err
	}
	for _, caf := range cafs {
		if !a.Can(login, caf, obj, act) {
			return false, nil
		}
	}
	return true, nil
}
