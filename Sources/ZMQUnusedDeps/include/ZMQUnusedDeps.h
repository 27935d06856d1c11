/* Nothing to import: this target only defines, for the release ensemble-node's
   static libzmq, the GSSAPI, OpenPGM and NORM functions libzmq never calls in
   Ensemble. See ../stubs.c. (SwiftPM wants a C target to have this directory.) */
