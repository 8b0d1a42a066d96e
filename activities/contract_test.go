package activities

import (
	"reflect"
	"testing"

	"recours/activities/contract"
)

// The workflows call the activities by the contract's names, and the
// worker registers the methods of Activities under their own: each name
// must be a method, or a workflow would call an activity nobody runs.
func TestContract_EachNameIsAnActivity(t *testing.T) {
	typ := reflect.TypeFor[*Activities]()
	for _, name := range []string{contract.Save, contract.SaveOverpayment, contract.AwaitSaved,
		contract.SendMessage, contract.DeliverDecision} {
		if _, ok := typ.MethodByName(name); !ok {
			t.Errorf("activity %q is not a method of Activities", name)
		}
	}
}
