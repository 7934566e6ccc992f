package view

import (
	"testing"
	"time"

	"ferry.dev/ferry/internal/store"
)

// FuzzDriftOf: any drift event data (the store holds what an agent, of
// any version, wrote) gives a drift without panicking, and never claims
// fewer objects in all than it lists.
func FuzzDriftOf(f *testing.F) {
	f.Add(`{"revision":"d1","mode":"detect","details":"local/web: 1 object","objects":[{"target":"local","component":"web",` +
		`"object":"apps/v1/Deployment/web/web","action":"configure","fields":["/spec/replicas"]}],"objectsTotal":3}`)
	f.Add(`{"revision":"d1","mode":"heal","details":"x"}`)
	f.Add(`{"objects":[{}],"objectsTotal":-5,"details":"y"}`)
	f.Add(`{"objects":null}`)
	f.Add(`not json`)
	f.Add(``)
	good := &store.Deployment{EndedAt: time.Unix(100, 0)}
	f.Fuzz(func(t *testing.T, data string) {
		d := driftOf(&store.Event{Time: time.Unix(200, 0), Message: "drift", Data: data}, good)
		if d == nil {
			t.Fatal("a drift event after the deployment gave no drift")
		}
		if d.ObjectsTotal < len(d.Objects) {
			t.Fatalf("objectsTotal %d < %d objects listed", d.ObjectsTotal, len(d.Objects))
		}
		if d.Details == "" {
			t.Fatal("a drift without details")
		}
	})
}
