package jsonbody_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/domain"
	"recours/internal/jsonbody"
)

func TestDecode_RefusesWhatIsNotTheBodyNamingTheField(t *testing.T) {
	for _, tc := range []struct {
		body, message, field string
	}{
		{`{"login":"a","role":"gca"}`, "champ inconnu", "role"},
		{`{"login":1}`, "type de champ incorrect", "login"},
		{`["login"]`, "type de champ incorrect", "body"},
		{`{"login":"a"`, "JSON mal formé", ""},
		{``, "JSON mal formé", ""},
		{`{"login":"a"} {}`, "corps invalide : données après l'objet JSON", ""},
	} {
		t.Run(tc.body, func(t *testing.T) {
			var in jsonbody.NewUser
			err := jsonbody.Decode([]byte(tc.body), &in)
			var de *domain.Error
			require.ErrorAs(t, err, &de)
			assert.Equal(t, domain.EINVALID, de.Code)
			assert.Equal(t, tc.message, de.Message)
			if tc.field != "" {
				require.Len(t, de.Fields, 1)
				assert.Equal(t, tc.field, de.Fields[0].Field)
			}
		})
	}
	var in jsonbody.NewUser
	require.NoError(t, jsonbody.Decode([]byte(`{"login":"a","name":"A"}`), &in))
	assert.Equal(t, jsonbody.NewUser{Login: "a", Name: "A"}, in)
}
