package domain

import "slices"

// Clone returns a copy of the file that shares no slice with c, so a
// snapshot handed to an activity or a caller never changes under it.
func (c Case) Clone() Case {
	c.Deadlines = slices.Clone(c.Deadlines)
	c.Opinions = slices.Clone(c.Opinions)
	c.FollowUps = slices.Clone(c.FollowUps)
	if c.AppealSuspension != nil {
		a := *c.AppealSuspension
		c.AppealSuspension = &a
	}
	if c.Policy != nil {
		p := *c.Policy
		c.Policy = &p
	}
	return c
}
