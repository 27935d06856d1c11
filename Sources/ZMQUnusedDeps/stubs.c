/* Stand-ins for GSSAPI (MIT Kerberos), OpenPGM and NORM, linked into the release
   ensemble-node only, which links Debian's static libzmq.a (see Package.swift).

   Debian builds libzmq with the GSSAPI mechanism and the pgm://, epgm:// and
   norm:// transports, so libzmq.a refers to these 61 symbols. Linking the real
   libraries would bring back what linking libzmq statically removes: with the
   shared libzmq.so.5 every node maps libgssapi_krb5, libkrb5, libk5crypto,
   libcom_err, libkrb5support, libkeyutils, libresolv, libpgm and libnorm,
   about 1.2 MB resident per node, none of it used.

   libzmq reaches them only for what Ensemble never configures: the GSSAPI
   mechanism (ZMQ_GSSAPI_* options; Ensemble uses NULL and CURVE) and pgm://,
   epgm:// or norm:// endpoints (Ensemble builds only tcp:// and inproc://
   ones). Two are called regardless: zmq_ctx_new calls pgm_init and
   zmq_ctx_term pgm_shutdown, and libzmq asserts that both succeed, so those
   two report success and do nothing. Everything else fails the way the real
   library reports a failure (GSS_S_FAILURE; false, -1, 0 or an invalid
   handle; a pgm_error_t of a kind libzmq turns into EINVAL; errno
   EPROTONOSUPPORT for NORM), and none of them aborts. With these, GSSAPI
   options are accepted and every handshake fails, and a pgm:// or epgm://
   connect or bind returns EINVAL. A norm:// connect or bind still ends the
   process: libzmq errno_asserts that NORM started (session_base.cpp), as it
   does when the real libnorm fails. Signatures follow gssapi/gssapi.h (krb5
   1.20), the pgm-5.3 headers and normApi.h (NORM 1.5.7), their types spelled
   out so that none of those headers is needed. */

#if ENSEMBLE_STATIC_LIBZMQ

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- GSSAPI ------------------------------------------------------------ */

typedef uint32_t OM_uint32;
typedef struct { size_t length; void *value; } gss_buffer_desc;
typedef void *gss_handle; /* gss_name_t, gss_cred_id_t, gss_ctx_id_t, gss_OID, gss_OID_set, ... */

#define GSS_S_COMPLETE 0u
#define GSS_S_FAILURE (13u << 16)

/* gss_OID data symbols; GSS_C_NO_OID. */
gss_handle GSS_C_NT_HOSTBASED_SERVICE = NULL;
gss_handle GSS_C_NT_USER_NAME = NULL;

static OM_uint32 gss_failure(OM_uint32 *minor) {
    if (minor) *minor = 0;
    return GSS_S_FAILURE;
}

static void empty_buffer(gss_buffer_desc *buffer) {
    if (buffer) { buffer->length = 0; buffer->value = NULL; }
}

static void no_handle(gss_handle *handle) {
    if (handle) *handle = NULL;
}

OM_uint32 gss_import_name(OM_uint32 *minor, gss_buffer_desc *input_name, gss_handle name_type,
                          gss_handle *output_name) {
    (void)input_name; (void)name_type;
    no_handle(output_name);
    return gss_failure(minor);
}

OM_uint32 gss_display_name(OM_uint32 *minor, gss_handle name, gss_buffer_desc *output_name,
                           gss_handle *output_name_type) {
    (void)name;
    empty_buffer(output_name);
    no_handle(output_name_type);
    return gss_failure(minor);
}

OM_uint32 gss_acquire_cred(OM_uint32 *minor, gss_handle desired_name, OM_uint32 time_req,
                           gss_handle desired_mechs, int cred_usage, gss_handle *output_cred,
                           gss_handle *actual_mechs, OM_uint32 *time_rec) {
    (void)desired_name; (void)time_req; (void)desired_mechs; (void)cred_usage;
    no_handle(output_cred);
    no_handle(actual_mechs);
    if (time_rec) *time_rec = 0;
    return gss_failure(minor);
}

OM_uint32 gss_init_sec_context(OM_uint32 *minor, gss_handle cred, gss_handle *context,
                               gss_handle target_name, gss_handle mech_type, OM_uint32 req_flags,
                               OM_uint32 time_req, gss_handle bindings, gss_buffer_desc *input_token,
                               gss_handle *actual_mech_type, gss_buffer_desc *output_token,
                               OM_uint32 *ret_flags, OM_uint32 *time_rec) {
    (void)cred; (void)context; (void)target_name; (void)mech_type; (void)req_flags;
    (void)time_req; (void)bindings; (void)input_token;
    no_handle(actual_mech_type);
    empty_buffer(output_token);
    if (ret_flags) *ret_flags = 0;
    if (time_rec) *time_rec = 0;
    return gss_failure(minor);
}

OM_uint32 gss_accept_sec_context(OM_uint32 *minor, gss_handle *context, gss_handle acceptor_cred,
                                 gss_buffer_desc *input_token, gss_handle bindings, gss_handle *src_name,
                                 gss_handle *mech_type, gss_buffer_desc *output_token,
                                 OM_uint32 *ret_flags, OM_uint32 *time_rec,
                                 gss_handle *delegated_cred) {
    (void)context; (void)acceptor_cred; (void)input_token; (void)bindings;
    no_handle(src_name);
    no_handle(mech_type);
    empty_buffer(output_token);
    if (ret_flags) *ret_flags = 0;
    if (time_rec) *time_rec = 0;
    no_handle(delegated_cred);
    return gss_failure(minor);
}

OM_uint32 gss_wrap(OM_uint32 *minor, gss_handle context, int conf_req, OM_uint32 qop,
                   gss_buffer_desc *input, int *conf_state, gss_buffer_desc *output) {
    (void)context; (void)conf_req; (void)qop; (void)input;
    if (conf_state) *conf_state = 0;
    empty_buffer(output);
    return gss_failure(minor);
}

OM_uint32 gss_unwrap(OM_uint32 *minor, gss_handle context, gss_buffer_desc *input,
                     gss_buffer_desc *output, int *conf_state, OM_uint32 *qop_state) {
    (void)context; (void)input;
    empty_buffer(output);
    if (conf_state) *conf_state = 0;
    if (qop_state) *qop_state = 0;
    return gss_failure(minor);
}

/* Releasing what the stubs above never hand out: nothing to do, and success. */
OM_uint32 gss_release_buffer(OM_uint32 *minor, gss_buffer_desc *buffer) {
    if (minor) *minor = 0;
    empty_buffer(buffer);
    return GSS_S_COMPLETE;
}

OM_uint32 gss_release_name(OM_uint32 *minor, gss_handle *name) {
    if (minor) *minor = 0;
    no_handle(name);
    return GSS_S_COMPLETE;
}

OM_uint32 gss_release_cred(OM_uint32 *minor, gss_handle *cred) {
    if (minor) *minor = 0;
    no_handle(cred);
    return GSS_S_COMPLETE;
}

OM_uint32 gss_delete_sec_context(OM_uint32 *minor, gss_handle *context, gss_buffer_desc *output_token) {
    if (minor) *minor = 0;
    no_handle(context);
    empty_buffer(output_token);
    return GSS_S_COMPLETE;
}

/* ---- OpenPGM ----------------------------------------------------------- */

typedef struct { int domain; int code; char *message; } pgm_error_t;
typedef void pgm_sock_t;

/* From pgm/error.h: libzmq turns these into EINVAL; other codes it asserts on. */
enum { PGM_ERROR_DOMAIN_IF = 0, PGM_ERROR_DOMAIN_SOCKET = 4 };
enum { PGM_ERROR_NODEV = 17 };
#define PGM_IO_STATUS_ERROR 0

static pgm_error_t pgm_if_error = { PGM_ERROR_DOMAIN_IF, PGM_ERROR_NODEV, "OpenPGM is not linked into ensemble-node" };
static pgm_error_t pgm_socket_error = { PGM_ERROR_DOMAIN_SOCKET, PGM_ERROR_NODEV, "OpenPGM is not linked into ensemble-node" };

static bool pgm_fail(pgm_error_t **error, pgm_error_t *what) {
    if (error) *error = what;
    return false;
}

/* Called by every zmq_ctx_new and the last zmq_ctx_term; libzmq asserts success. */
bool pgm_init(pgm_error_t **error) { (void)error; return true; }
bool pgm_shutdown(void) { return true; }

bool pgm_getaddrinfo(const char *network, const void *hints, void **res, pgm_error_t **error) {
    (void)network; (void)hints;
    if (res) *res = NULL;
    return pgm_fail(error, &pgm_if_error);
}

void pgm_freeaddrinfo(void *res) { (void)res; }
/* The only errors handed out are the static ones above; the stubs allocate nothing. */
void pgm_error_free(pgm_error_t *error) { (void)error; }
void pgm_free(void *memory) { (void)memory; }

bool pgm_socket(pgm_sock_t **sock, unsigned short family, int type, int protocol, pgm_error_t **error) {
    (void)family; (void)type; (void)protocol;
    if (sock) *sock = NULL;
    return pgm_fail(error, &pgm_socket_error);
}

bool pgm_bind3(pgm_sock_t *sock, const void *addr, unsigned addrlen, const void *send_req,
               unsigned send_req_len, const void *recv_req, unsigned recv_req_len, pgm_error_t **error) {
    (void)sock; (void)addr; (void)addrlen; (void)send_req; (void)send_req_len; (void)recv_req; (void)recv_req_len;
    return pgm_fail(error, &pgm_if_error);
}

bool pgm_connect(pgm_sock_t *sock, pgm_error_t **error) {
    (void)sock;
    return pgm_fail(error, &pgm_socket_error);
}

bool pgm_close(pgm_sock_t *sock, bool flush) { (void)sock; (void)flush; return false; }

bool pgm_setsockopt(pgm_sock_t *sock, int level, int optname, const void *optval, unsigned optlen) {
    (void)sock; (void)level; (void)optname; (void)optval; (void)optlen;
    return false;
}

bool pgm_getsockopt(pgm_sock_t *sock, int level, int optname, void *optval, unsigned *optlen) {
    (void)sock; (void)level; (void)optname; (void)optval; (void)optlen;
    return false;
}

bool pgm_gsi_create_from_data(void *gsi, const uint8_t *data, size_t length) {
    (void)gsi; (void)data; (void)length;
    return false;
}

int pgm_send(pgm_sock_t *sock, const void *apdu, size_t apdu_length, size_t *bytes_written) {
    (void)sock; (void)apdu; (void)apdu_length;
    if (bytes_written) *bytes_written = 0;
    return PGM_IO_STATUS_ERROR;
}

int pgm_recvmsgv(pgm_sock_t *sock, void *msg_start, size_t msg_len, int flags, size_t *bytes_read,
                 pgm_error_t **error) {
    (void)sock; (void)msg_start; (void)msg_len; (void)flags;
    if (bytes_read) *bytes_read = 0;
    pgm_fail(error, &pgm_socket_error);
    return PGM_IO_STATUS_ERROR;
}

/* ---- NORM -------------------------------------------------------------- */

typedef const void *NormHandle; /* NormInstanceHandle, NormSessionHandle, NormObjectHandle, NormNodeHandle */

const NormHandle NORM_INSTANCE_INVALID = NULL;
const NormHandle NORM_SESSION_INVALID = NULL;
const NormHandle NORM_OBJECT_INVALID = NULL;
const uint32_t NORM_NODE_ANY = 0xffffffffu;

static NormHandle norm_unavailable(void) {
    errno = EPROTONOSUPPORT;
    return NULL;
}

NormHandle NormCreateInstance(bool priority_boost) { (void)priority_boost; return norm_unavailable(); }

NormHandle NormCreateSession(NormHandle instance, const char *address, uint16_t port, uint32_t local_id) {
    (void)instance; (void)address; (void)port; (void)local_id;
    return norm_unavailable();
}

NormHandle NormStreamOpen(NormHandle session, uint32_t buffer_size, const char *info, unsigned info_length) {
    (void)session; (void)buffer_size; (void)info; (void)info_length;
    return norm_unavailable();
}

void NormDestroyInstance(NormHandle instance) { (void)instance; }
void NormStopInstance(NormHandle instance) { (void)instance; }
void NormDestroySession(NormHandle session) { (void)session; }
void NormStopReceiver(NormHandle session) { (void)session; }
void NormStopSender(NormHandle session) { (void)session; }
void NormNodeDelete(NormHandle node) { (void)node; }
void NormObjectSetUserData(NormHandle object, const void *data) { (void)object; (void)data; }
void NormSetCongestionControl(NormHandle session, bool enable, bool adjust_rate) {
    (void)session; (void)enable; (void)adjust_rate;
}
void NormSetDefaultSyncPolicy(NormHandle session, int policy) { (void)session; (void)policy; }
void NormSetDefaultUnicastNack(NormHandle session, bool enable) { (void)session; (void)enable; }
void NormSetRxPortReuse(NormHandle session, bool enable, const char *rx_bind_address,
                        const char *sender_address, uint16_t sender_port) {
    (void)session; (void)enable; (void)rx_bind_address; (void)sender_address; (void)sender_port;
}
void NormStreamFlush(NormHandle stream, bool eom, int flush_mode) { (void)stream; (void)eom; (void)flush_mode; }

int NormGetDescriptor(NormHandle instance) { (void)instance; return -1; } /* NORM_DESCRIPTOR_INVALID */
bool NormGetNextEvent(NormHandle instance, void *event, bool wait) { (void)instance; (void)event; (void)wait; return false; }
uint16_t NormGetRandomSessionId(void) { return 0; }
bool NormIsUnicastAddress(const char *address) { (void)address; return false; }
int NormObjectGetType(NormHandle object) { (void)object; return 0; } /* NORM_OBJECT_NONE */
const void *NormObjectGetUserData(NormHandle object) { (void)object; return NULL; }
bool NormSetLoopback(NormHandle session, bool loopback) { (void)session; (void)loopback; return false; }
bool NormSetMulticastInterface(NormHandle session, const char *name) { (void)session; (void)name; return false; }
bool NormSetTTL(NormHandle session, unsigned char ttl) { (void)session; (void)ttl; return false; }
bool NormStartReceiver(NormHandle session, uint32_t buffer_space) { (void)session; (void)buffer_space; return false; }
bool NormStartSender(NormHandle session, uint16_t instance_id, uint32_t buffer_space, uint16_t segment_size,
                     uint16_t num_data, uint16_t num_parity, uint8_t fec_id) {
    (void)session; (void)instance_id; (void)buffer_space; (void)segment_size; (void)num_data; (void)num_parity; (void)fec_id;
    return false;
}
bool NormStreamRead(NormHandle stream, char *buffer, unsigned *num_bytes) {
    (void)stream; (void)buffer;
    if (num_bytes) *num_bytes = 0;
    return false;
}
bool NormStreamSeekMsgStart(NormHandle stream) { (void)stream; return false; }
unsigned NormStreamWrite(NormHandle stream, const char *buffer, unsigned num_bytes) {
    (void)stream; (void)buffer; (void)num_bytes;
    return 0;
}

#endif
