package main

deny contains msg if {
	r := http.send({"method": "GET", "url": "http://127.0.0.1:1/"})
	msg := r.body
}
