package schema

import (
	"encoding/json"
	"reflect"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes/scheme"
)

// builtin indexes the Go types of the built-in kinds by group/version/kind,
// and the set of built-in groups (to tell a removed version from a custom
// resource).
type builtin struct {
	types  map[schema.GroupVersionKind]reflect.Type
	groups map[string]bool
}

var loadBuiltin = sync.OnceValue(func() *builtin {
	b := &builtin{types: map[schema.GroupVersionKind]reflect.Type{}, groups: map[string]bool{}}
	for gvk, t := range scheme.Scheme.AllKnownTypes() {
		if gvk.Version == runtime.APIVersionInternal || strings.HasSuffix(gvk.Kind, "List") ||
			strings.HasSuffix(gvk.Kind, "Options") || gvk.Kind == "WatchEvent" || gvk.Kind == "Status" {
			continue
		}
		b.types[gvk] = t
		b.groups[gvk.Group] = true
	}
	return b
})

// field is one JSON field of a struct.
type field struct {
	typ      reflect.Type
	required bool
}

// structFields caches each struct type's JSON fields, inline ones flattened.
var structFields sync.Map // reflect.Type → map[string]field

func fieldsOf(t reflect.Type) map[string]field {
	if v, ok := structFields.Load(t); ok {
		return v.(map[string]field)
	}
	out := map[string]field{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if (f.Anonymous && name == "") || strings.Contains(opts, "inline") {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range fieldsOf(ft) {
					out[k] = v
				}
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = field{typ: f.Type, required: !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero")}
	}
	structFields.Store(t, out)
	return out
}

// shape classifies a Go type for YAML checking.
type shape int

const (
	shapeAny shape = iota
	shapeString
	shapeInt
	shapeFloat
	shapeBool
	shapeIntOrString
	shapeQuantity
	shapeObject
	shapeMap
	shapeList
	shapeBytes
)

var (
	tQuantity    = reflect.TypeFor[resource.Quantity]()
	tIntOrString = reflect.TypeFor[intstr.IntOrString]()
	tTime        = reflect.TypeFor[metav1.Time]()
	tMicroTime   = reflect.TypeFor[metav1.MicroTime]()
	tDuration    = reflect.TypeFor[metav1.Duration]()
	tUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
)

func shapeOf(t reflect.Type) (shape, reflect.Type) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case tQuantity:
		return shapeQuantity, t
	case tIntOrString:
		return shapeIntOrString, t
	case tTime, tMicroTime, tDuration:
		return shapeString, t
	}
	if reflect.PointerTo(t).Implements(tUnmarshaler) {
		return shapeAny, t // custom decoding (RawExtension, JSON, …): accept anything
	}
	switch t.Kind() {
	case reflect.String:
		return shapeString, t
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return shapeInt, t
	case reflect.Float32, reflect.Float64:
		return shapeFloat, t
	case reflect.Bool:
		return shapeBool, t
	case reflect.Struct:
		return shapeObject, t
	case reflect.Map:
		return shapeMap, t
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return shapeBytes, t
		}
		return shapeList, t
	}
	return shapeAny, t
}
