// A node binary of one's own, as docs/library.md ("Actors and a node binary of your own")
// shows: built on the Ensemble library only, its types in Greeter.swift, and this one line
// for a main. Run it as `ensemble start` runs its own node (background, pid file,
// readiness, --curve, `ensemble stop`):
//
//     ensemble start --node-binary .build/debug/ensemble-example-greeter 10000 greeting --leader 1900
//
// or alone: `ensemble-example-greeter 10000 greeting --leader 1900 --state-dir /tmp/greeters`.
import Ensemble

NodeMain.runFromCommandLine(types: greeterTypes)   // serves until stopped
