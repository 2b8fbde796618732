/* air-proxmox-api.c
 *
 * The gateway speaks to a Proxmox VE server over HTTPS with libcurl: one
 * request a call, form-encoded parameters as the API viewer lists them,
 * the answer's "data" member as JSON. The zone's gateway runs one agent
 * process per qrexec call, so a blocking transfer (bounded by the zone's
 * timeout) blocks nothing else.
 *
 * Trust: Proxmox ships a certificate of its own CA, which nothing here
 * knows, so the server is pinned instead — the SHA-256 of its public key
 * (SubjectPublicKeyInfo), as curl's CURLOPT_PINNEDPUBLICKEY takes it. No
 * request is made to a server without a pin, and a server whose key
 * changed is refused before the token is sent. air_proxmox_fetch_pin()
 * reads the key the server offers, for the user to compare and pin.
 *
 * The API token ("USER@REALM!TOKENID=SECRET", from the vault) is kept in
 * memory libsodium guards and wipes; it goes out only in the
 * Authorization header of a pinned connection. libcurl copies headers
 * into its own send buffer, which it does not wipe: that copy lives as
 * long as the transfer.
 *
 * Everything the server answers is hostile input: the size is bounded,
 * JSON is parsed strictly, names that are not valid qube names are not
 * taken as qubes, and error text is cut and cleaned.
 *
 * Tasks are followed in air-proxmox-tasks.c, the guest agent's calls
 * are in air-proxmox-guest.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-proxmox"

#include "config.h"

#include <curl/curl.h>
#include <glib/gi18n.h>
#include <poll.h>
#include <sodium.h>
#include <string.h>

#include "air-crypto.h"
#include "air-error.h"
#include "air-fd-io.h"
#include "air-json.h"
#include "air-names.h"
#include "air-proxmox-api.h"

#define API_PREFIX   "/api2/json"
#define MAX_ERROR    300

struct _AirProxmoxApi
{
  GObject  parent_instance;

  char    *url;       /* https://HOST[:PORT], no trailing slash */
  char    *pin;       /* sha256//BASE64 */
  guint    timeout;
  char    *header;    /* "Authorization: PVEAPIToken=…", sodium_malloc'd */
  int      caller_fd; /* its hang-up stops a task being followed; -1: none */
  /* One handle for the calls of this process, so they share one TLS
   * connection (a copy makes one call per 45 KiB); a call made while
   * another holds it gets a handle of its own. */
  GMutex   lock;
  CURL    *curl;
};

G_DEFINE_FINAL_TYPE (AirProxmoxApi, air_proxmox_api, G_TYPE_OBJECT)

static gboolean
curl_ready (GError **error)
{
  static gsize done;

  if (g_once_init_enter (&done))
    g_once_init_leave (&done, curl_global_init (CURL_GLOBAL_DEFAULT) == CURLE_OK ? 1 : 2);
  if (done != 1)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_FAILED, _("libcurl cannot be initialised"));
      return FALSE;
    }
  return TRUE;
}

static char *
trim_url (const char *url)
{
  gsize len = strlen (url);

  return g_strndup (url, len > 0 && url[len - 1] == '/' ? len - 1 : len);
}

/* ---- the server's public key ---- */

/* One DER element at *POS of DATA: its tag, where its contents start and
 * how long they are. FALSE when it does not fit. */
static gboolean
der_next (const guint8 *data, gsize len, gsize *pos, guint8 *tag, gsize *start, gsize *content_len)
{
  gsize at = *pos, n = 0;

  if (at + 2 > len)
    return FALSE;
  *tag = data[at++];
  if (data[at] < 0x80)
    n = data[at++];
  else
    {
      guint bytes = data[at++] & 0x7f;

      if (bytes == 0 || bytes > 4 || at + bytes > len)
        return FALSE;
      for (guint i = 0; i < bytes; i++)
        n = (n << 8) | data[at++];
    }
  if (n > len - at)
    return FALSE;
  *start = at;
  *content_len = n;
  *pos = at + n;
  return TRUE;
}

/* The SubjectPublicKeyInfo element of a DER certificate (RFC 5280). */
static gboolean
der_spki (const guint8 *der, gsize len, gsize *spki_start, gsize *spki_len)
{
  gsize pos = 0, start, n, tbs_end;
  guint8 tag;

  if (!der_next (der, len, &pos, &tag, &start, &n) || tag != 0x30)   /* Certificate */
    return FALSE;
  pos = start;
  if (!der_next (der, len, &pos, &tag, &start, &n) || tag != 0x30)   /* tbsCertificate */
    return FALSE;
  tbs_end = start + n;
  pos = start;
  /* [0] version (optional), serial, signature, issuer, validity, subject */
  for (guint field = 0; field < 6; field++)
    {
      gsize before = pos;

      if (!der_next (der, tbs_end, &pos, &tag, &start, &n))
        return FALSE;
      if (field == 0 && tag != 0xa0)
        {
          pos = before;   /* no version: v1 */
          continue;
        }
    }
  *spki_start = pos;
  if (!der_next (der, tbs_end, &pos, &tag, &start, &n) || tag != 0x30)
    return FALSE;
  *spki_len = pos - *spki_start;
  return TRUE;
}

static char *
pin_of_pem (const char *pem)
{
  static const char begin[] = "-----BEGIN CERTIFICATE-----";
  static const char end[] = "-----END CERTIFICATE-----";
  const char *from = strstr (pem, begin), *to;
  g_autofree char *b64 = NULL;
  g_autofree guint8 *der = NULL;
  guint8 hash[crypto_hash_sha256_BYTES];
  gsize der_len = 0, spki_start = 0, spki_len = 0;
  g_autofree char *hash_b64 = NULL;

  if (from == NULL || (to = strstr (from, end)) == NULL)
    return NULL;
  from += strlen (begin);
  b64 = g_strndup (from, to - from);
  der = g_base64_decode (g_strstrip (b64), &der_len);
  if (der == NULL || !der_spki (der, der_len, &spki_start, &spki_len))
    return NULL;
  crypto_hash_sha256 (hash, der + spki_start, spki_len);
  hash_b64 = g_base64_encode (hash, sizeof hash);
  return g_strconcat ("sha256//", hash_b64, NULL);
}

static size_t
discard_cb (char *data, size_t size, size_t n, void *user_data)
{
  return size * n;
}

char *
air_proxmox_fetch_pin (const char  *url,
                       guint        timeout,
                       GError     **error)
{
  g_autofree char *base = NULL;
  g_autofree char *target = NULL;
  struct curl_certinfo *info = NULL;
  CURL *curl;
  CURLcode code;
  char *pin = NULL;

  if (!air_proxmox_url_validate (url, error) || !curl_ready (error) || !air_crypto_init (error))
    return NULL;
  base = trim_url (url);
  target = g_strconcat (base, API_PREFIX "/version", NULL);

  /* nothing is sent but the TLS handshake and an anonymous GET */
  curl = curl_easy_init ();
  curl_easy_setopt (curl, CURLOPT_URL, target);
  curl_easy_setopt (curl, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt (curl, CURLOPT_SSL_VERIFYPEER, 0L);
  curl_easy_setopt (curl, CURLOPT_SSL_VERIFYHOST, 0L);
  curl_easy_setopt (curl, CURLOPT_CERTINFO, 1L);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, (long) timeout);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, discard_cb);
  code = curl_easy_perform (curl);
  if (code == CURLE_OK && curl_easy_getinfo (curl, CURLINFO_CERTINFO, &info) == CURLE_OK &&
      info != NULL && info->num_of_certs > 0)
    for (struct curl_slist *field = info->certinfo[0]; field != NULL && pin == NULL; field = field->next)
      if (g_str_has_prefix (field->data, "Cert:"))
        pin = pin_of_pem (field->data + strlen ("Cert:"));
  curl_easy_cleanup (curl);

  if (pin == NULL)
    g_set_error (error, AIR_ERROR, AIR_ERROR_UNREACHABLE,
                 _("The Proxmox server at %s did not show a certificate: %s"), base,
                 code != CURLE_OK ? curl_easy_strerror (code) : _("no certificate in the handshake"));
  return pin;
}

/* ---- the client ---- */

static void
air_proxmox_api_finalize (GObject *object)
{
  AirProxmoxApi *self = AIR_PROXMOX_API (object);

  g_free (self->url);
  g_free (self->pin);
  if (self->header != NULL)
    sodium_free (self->header);
  if (self->curl != NULL)
    curl_easy_cleanup (self->curl);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (air_proxmox_api_parent_class)->finalize (object);
}

static void
air_proxmox_api_class_init (AirProxmoxApiClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = air_proxmox_api_finalize;
}

static void
air_proxmox_api_init (AirProxmoxApi *self)
{
  g_mutex_init (&self->lock);
  self->caller_fd = -1;
}

/* A service's caller that went away (a cancelled job, a ^C) closes its
 * end of the service's stdout: a task followed for it is stopped then,
 * not left running for nobody. -1 for none. */
void
air_proxmox_api_set_caller_fd (AirProxmoxApi *self,
                               int            fd)
{
  g_return_if_fail (AIR_IS_PROXMOX_API (self));
  self->caller_fd = fd;
}

gboolean
air_proxmox_api_caller_gone (AirProxmoxApi *self)
{
  struct pollfd pfd = { .fd = self->caller_fd, .events = 0 };

  return self->caller_fd >= 0 && poll (&pfd, 1, 0) == 1 &&
         (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)) != 0;
}

AirProxmoxApi *
air_proxmox_api_new (const char *url,
                     const char *pin,
                     guint       timeout)
{
  AirProxmoxApi *self;

  g_return_val_if_fail (url != NULL, NULL);

  self = g_object_new (AIR_TYPE_PROXMOX_API, NULL);
  self->url = trim_url (url);
  self->pin = g_strdup (pin);
  self->timeout = timeout > 0 ? timeout : 10;
  return self;
}

/* USER@REALM!TOKENID=SECRET, printable ASCII without spaces. */
gboolean
air_proxmox_api_set_token (AirProxmoxApi  *self,
                           const char     *token,
                           gsize           len,
                           GError        **error)
{
  static const char prefix[] = "Authorization: PVEAPIToken=";
  const char *at, *bang, *equals;
  char *header;

  g_return_val_if_fail (AIR_IS_PROXMOX_API (self), FALSE);

  while (len > 0 && (token[len - 1] == '\n' || token[len - 1] == '\r'))
    len--;
  at = memchr (token, '@', len);
  bang = memchr (token, '!', len);
  equals = memchr (token, '=', len);
  if (len == 0 || len > AIR_PROXMOX_MAX_TOKEN || at == NULL || bang == NULL || equals == NULL ||
      !(at < bang && bang < equals) || at == token || equals + 1 == token + len)
    goto bad;
  for (gsize i = 0; i < len; i++)
    if (token[i] <= ' ' || token[i] > '~')
      goto bad;
  if (!air_crypto_init (error))
    return FALSE;

  header = sodium_malloc (sizeof prefix + len);
  if (header == NULL)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_FAILED, _("Out of guarded memory"));
      return FALSE;
    }
  memcpy (header, prefix, sizeof prefix - 1);
  memcpy (header + sizeof prefix - 1, token, len);
  header[sizeof prefix - 1 + len] = '\0';
  if (self->header != NULL)
    sodium_free (self->header);
  self->header = header;
  return TRUE;

bad:
  /* never the token itself in the message */
  g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                       _("The zone's Proxmox credential is not an API token of the form USER@REALM!TOKENID=SECRET"));
  return FALSE;
}

/* The token (USER@REALM!TOKENID=SECRET) written to @fd, from guarded
 * memory, for the task guard (air-proxmox-driver.c): never copied. */
gboolean
air_proxmox_api_write_token (AirProxmoxApi *self,
                             int            fd)
{
  static const char prefix[] = "Authorization: PVEAPIToken=";
  const char *token;

  g_return_val_if_fail (AIR_IS_PROXMOX_API (self), FALSE);
  if (self->header == NULL)
    return FALSE;
  token = self->header + sizeof prefix - 1;
  return air_fd_write_all (fd, token, strlen (token)) && air_fd_write_all (fd, "\n", 1);
}

typedef struct {
  GByteArray *body;
  gsize       max;
  gboolean    too_large;
} Answer;

static size_t
collect_cb (char *data, size_t size, size_t n, void *user_data)
{
  Answer *answer = user_data;

  if (answer->body->len + size * n > answer->max)
    {
      answer->too_large = TRUE;
      return 0;
    }
  g_byte_array_append (answer->body, (const guint8 *) data, size * n);
  return size * n;
}

static char *
encode_form (CURL *curl, const char * const *form)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; form != NULL && form[i] != NULL && form[i + 1] != NULL; i += 2)
    {
      char *value = curl_easy_escape (curl, form[i + 1], 0);

      g_string_append_printf (out, "%s%s=%s", out->len ? "&" : "", form[i], value);
      curl_free (value);
    }
  return g_string_free (out, FALSE);
}

/* The server's reason, from its status line or its "errors" member,
 * cleaned for a terminal and cut. */
static char *
server_reason (long status, const char *reason_line, JsonObject *root)
{
  g_autoptr(GString) text = g_string_new (reason_line);
  JsonNode *errors = root ? json_object_get_member (root, "errors") : NULL;

  if (errors != NULL && JSON_NODE_HOLDS_OBJECT (errors))
    {
      JsonObjectIter iter;
      const char *member;
      JsonNode *value;

      json_object_iter_init (&iter, json_node_get_object (errors));
      while (json_object_iter_next (&iter, &member, &value) && text->len < MAX_ERROR)
        if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING)
          g_string_append_printf (text, "%s%s: %s", text->len ? "; " : "", member, json_node_get_string (value));
    }
  if (text->len == 0)
    g_string_printf (text, "HTTP %ld", status);
  return air_text_sanitize (text->str, -1, MAX_ERROR);
}

/* Proxmox puts its message in the HTTP status line: "HTTP/1.1 500 msg". */
static size_t
header_cb (char *data, size_t size, size_t n, void *user_data)
{
  char **reason = user_data;
  gsize len = size * n;

  if (len > 9 && strncmp (data, "HTTP/", 5) == 0)
    {
      const char *space = memchr (data, ' ', len);
      const char *second = space ? memchr (space + 1, ' ', len - (space + 1 - data)) : NULL;

      g_clear_pointer (reason, g_free);
      if (second != NULL)
        *reason = g_strstrip (g_strndup (second + 1, MIN (len - (second + 1 - data), 400)));
    }
  return len;
}

/* The request made and its answer checked: the body of a 2xx answer, or
 * NULL and the error a user can act on. */
static GByteArray *
request_body (AirProxmoxApi       *self,
              const char          *method,
              const char          *path,
              const char * const  *form,
              gsize                max,
              GError             **error)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  g_autofree char *target = NULL;
  g_autofree char *fields = NULL;
  g_autofree char *reason_line = NULL;
  struct curl_slist header = { NULL, NULL };
  Answer answer = { body, max, FALSE };
  gboolean is_get = strcmp (method, "GET") == 0;
  long status = 0;
  CURLcode code;
  CURL *curl;
  gboolean shared;

  if (self->pin == NULL)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_REFUSED,
                           _("The Proxmox server's certificate is not pinned yet: run “qair zone trust ZONE”."));
      return NULL;
    }
  if (self->header == NULL)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_REFUSED, _("No API token was given for the Proxmox server."));
      return NULL;
    }
  if (!curl_ready (error))
    return NULL;

  shared = g_mutex_trylock (&self->lock);
  if (shared && self->curl == NULL)
    self->curl = curl_easy_init ();
  if (shared)
    curl_easy_reset (self->curl);   /* keeps its live connection */
  curl = shared ? self->curl : curl_easy_init ();
  fields = encode_form (curl, form);
  target = g_strconcat (self->url, API_PREFIX, path, is_get && *fields ? "?" : "", is_get ? fields : "", NULL);

  /* our own list node: the token stays in guarded memory, not in a copy
   * curl_slist_append() would make and free unwiped */
  header.data = self->header;
  curl_easy_setopt (curl, CURLOPT_URL, target);
  curl_easy_setopt (curl, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt (curl, CURLOPT_SSL_VERIFYPEER, 0L);
  curl_easy_setopt (curl, CURLOPT_SSL_VERIFYHOST, 0L);
  curl_easy_setopt (curl, CURLOPT_PINNEDPUBLICKEY, self->pin);
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, &header);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, (long) self->timeout);
  curl_easy_setopt (curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, collect_cb);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt (curl, CURLOPT_HEADERFUNCTION, header_cb);
  curl_easy_setopt (curl, CURLOPT_HEADERDATA, &reason_line);
  if (!is_get)
    {
      curl_easy_setopt (curl, CURLOPT_CUSTOMREQUEST, method);
      curl_easy_setopt (curl, CURLOPT_POSTFIELDS, fields);
    }
  code = curl_easy_perform (curl);
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);
  if (shared)
    g_mutex_unlock (&self->lock);
  else
    curl_easy_cleanup (curl);

  if (code == CURLE_SSL_PINNEDPUBKEYNOTMATCH)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_REFUSED,
                   _("The Proxmox server at %s shows a different certificate key than the one pinned. "
                     "Nothing was sent. If the server's certificate was renewed, check it and pin it "
                     "again with “qair zone trust ZONE”."), self->url);
      return NULL;
    }
  if (answer.too_large)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                   _("The Proxmox server's answer is larger than %d MiB"), (int) (max / (1024 * 1024)));
      return NULL;
    }
  if (code != CURLE_OK)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_UNREACHABLE, _("The Proxmox server at %s does not answer: %s"),
                   self->url, curl_easy_strerror (code));
      return NULL;
    }

  if (status == 401)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_REFUSED,
                           _("The Proxmox server refused the zone's API token (401): check the token and its "
                             "permissions, then store it again with “qair cred put”."));
      return NULL;
    }
  if (status < 200 || status >= 300)
    {
      g_autoptr(JsonObject) root = air_json_parse_object ((const char *) body->data, body->len, max, NULL);
      g_autofree char *reason = server_reason (status, reason_line, root);

      g_set_error (error, AIR_ERROR, AIR_ERROR_REMOTE, _("The Proxmox server said: %s"), reason);
      return NULL;
    }
  return g_steal_pointer (&body);
}

JsonNode *
air_proxmox_api_request_up_to (AirProxmoxApi       *self,
                               const char          *method,
                               const char          *path,
                               const char * const  *form,
                               gsize                max,
                               GError             **error)
{
  g_autoptr(GByteArray) body = NULL;
  g_autoptr(JsonObject) root = NULL;

  g_return_val_if_fail (AIR_IS_PROXMOX_API (self), NULL);

  body = request_body (self, method, path, form, max, error);
  if (body == NULL)
    return NULL;
  root = air_json_parse_object ((const char *) body->data, body->len, max, NULL);
  if (root == NULL || !json_object_has_member (root, "data"))
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           _("The Proxmox server's answer is not the API's JSON"));
      return NULL;
    }
  return json_object_dup_member (root, "data");
}

JsonNode *
air_proxmox_api_request (AirProxmoxApi       *self,
                         const char          *method,
                         const char          *path,
                         const char * const  *form,
                         GError             **error)
{
  return air_proxmox_api_request_up_to (self, method, path, form, AIR_PROXMOX_MAX_ANSWER, error);
}

/* Every qemu VM of /cluster/resources, checked (air-proxmox-vms.c). */
GPtrArray *
air_proxmox_api_list_vms (AirProxmoxApi  *self,
                          GError        **error)
{
  static const char * const form[] = { "type", "vm", NULL };
  g_autoptr(GByteArray) body = NULL;

  g_return_val_if_fail (AIR_IS_PROXMOX_API (self), NULL);

  body = request_body (self, "GET", "/cluster/resources", form, AIR_PROXMOX_MAX_ANSWER, error);
  if (body == NULL)
    return NULL;
  return air_proxmox_vms_parse ((const char *) body->data, body->len, AIR_PROXMOX_MAX_ANSWER, error);
}
