/* The floors `ensemble bench` compares its figures with: the same work on
   libzmq alone, in C, inside the bench's process (threads, no Swift, no
   wrapper). zmq_floor.c and pipeline_floor.c say how each is measured. */
#ifndef ENSEMBLE_CZMQFLOOR_H
#define ENSEMBLE_CZMQFLOOR_H

#include <stddef.h>

/// Messages per second from a DEALER to a ROUTER over TCP loopback, each side in
/// its own thread and its own ZeroMQ context, the way libzmq's perf/local_thr and
/// perf/remote_thr measure: the sender builds each message with zmq_msg_init_size
/// and sends it blocking; the receiver reuses one zmq_msg_t for every frame and
/// blocks in zmq_msg_recv; the clock runs from the first message to the last.
///
/// `messages` (at least 2) messages of `size` bytes; `port` 0 lets the kernel
/// choose. Returns the rate, or 0 with one line in `why` (`why_size` bytes at
/// most) when the measurement failed; no wait lasts longer than 10 s.
double ensemble_zmq_floor_msgs_per_s(int messages, int size, int port, char *why, size_t why_size);

/// What the pipeline model measured.
typedef struct {
    /// The median request's round trip, in microseconds.
    double p50_us;
    /// The 99th percentile's, in microseconds.
    double p99_us;
    /// The process's CPU time over the timed requests, divided by their number, in microseconds.
    double cpu_us_per_request;
    /// The kernel's part of it (the process's system time, getrusage), in microseconds.
    double kernel_cpu_us_per_request;
    /// The part of it in libzmq's own threads (named "ZMQbg/..."), in microseconds.
    double libzmq_cpu_us_per_request;
} EnsemblePipelineFloor;

/// The encode pipeline's shape on libzmq alone, one request at a time (the floor of
/// `encode_p50_us_c1` and `encode_cpu_us_per_req_c1`): a client DEALER sends a
/// request to a leader ROUTER, which sends one frame to each of two members
/// (and, when `early_frame` is non-zero, one frame straight back to the client);
/// each member answers the leader with one frame, and the leader sends one frame
/// per answer to the client. Client, leader and members are threads of this
/// process with a ZeroMQ context each.
///
/// `requests` (at least 1) timed requests after 200 untimed ones. Returns 0 and
/// fills `result`, or -1 with one line in `why` when the measurement failed; no
/// wait lasts longer than 5 s.
int ensemble_pipeline_floor(int requests, int early_frame, EnsemblePipelineFloor *result, char *why, size_t why_size);

#endif
