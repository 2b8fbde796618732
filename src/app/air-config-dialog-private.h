/* air-config-dialog-private.h — shared by air-config-dialog.c (the
 * dialog, its worker thread), air-config-dialog-export.c and
 * air-config-dialog-import.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "air-age.h"
#include "air-config-dialog.h"
#include "air-job.h"
#include "air-vault-client.h"

G_BEGIN_DECLS

typedef enum {
  STEP_CHOOSE,   /* import: file and key still to give */
  STEP_REVIEW,   /* import: the file opened, its zones shown */
  STEP_BUSY,
  STEP_DONE,
} Step;

struct _AirConfigDialog
{
  GtkWindow             parent_instance;

  /* Template widgets */
  GtkLabel             *intro;
  GtkWidget            *zone_title;
  GtkDropDown          *zone_dropdown;
  GtkWidget            *file_title;
  GtkWidget            *file_box;
  GtkLabel             *file_label;
  GtkCheckButton       *use_keys;
  GtkCheckButton       *use_passphrase;
  GtkCheckButton       *use_vault;
  GtkWidget            *keys_box;
  GtkEntry             *recipients_entry;
  GtkWidget            *identity_box;
  GtkLabel             *identity_label;
  GtkWidget            *passphrase_box;
  GtkPasswordEntry     *passphrase_entry;
  GtkPasswordEntry     *confirm_entry;
  GtkWidget            *vault_box;
  GtkDropDown          *vault_dropdown;
  GtkLabel             *vault_status;
  GtkWidget            *secrets_box;
  GtkSwitch            *secrets_switch;
  GtkCheckButton       *replace_check;
  GtkLabel             *summary;
  GtkLabel             *message;
  GtkButton            *go_button;

  /* Owned references */
  AirSession           *session;
  AirConfigDialogMode   mode;
  Step                  step;
  GFile                *file;
  GFile                *identity;
  GCancellable         *cancellable;
  GtkFileChooserNative *chooser;
  const char           *chooser_purpose;   /* "export", "file" or "identity" */
  GWeakRef              confirm;           /* the secrets' confirmation, while shown */
  gpointer              pending;           /* export: Work waiting for that confirmation */
  GFile                *pending_file;
  gboolean              vault_listed;      /* import: the vault's age identities are known */
  AirZoneRegistry      *incoming;
  GBytes               *secrets;           /* import: the vault's own age file, if any */
  GStrv                 identities;        /* import: what opened it, for the vault (wiped) */
  char                 *passphrase;        /* … or this (sodium_malloc'd) */
  char                 *vault_identity;    /* … or the vault's identity of that name */
  GHashTable           *wireguard_keys;    /* zone → public key the vault took back */
  GPtrArray            *chosen;            /* zone names to import */
  guint                 next;
  AirJob               *job;
  GString              *report;
};

/* What the worker thread does: files and cryptography, never a widget. */
typedef enum {
  WORK_ENCRYPT,      /* plain → file */
  WORK_DECRYPT,      /* file → plain, with identities or a passphrase */
  WORK_READ_HEADER,  /* file → its X25519 stanzas, for the vault */
  WORK_OPEN_WITH_KEY /* file + the file key the vault found → plain */
} WorkKind;

typedef struct {
  WorkKind      kind;
  GBytes       *plain;          /* export */
  GFile        *file;           /* the age file */
  GFile        *identity;       /* import with an identity file */
  GStrv         recipients;     /* export with keys */
  char         *passphrase;     /* sodium_malloc'd */
  GBytes       *contents;       /* import: the file as read */
  AirAgeHeader *header;         /* WORK_READ_HEADER's result */
  GPtrArray    *stanzas;        /* the header's X25519 stanzas (borrowed) */
  GBytes       *file_key;       /* WORK_OPEN_WITH_KEY (zeroed when freed) */
  GStrv         identities;     /* WORK_DECRYPT: what opened the file */
} Work;

Work     *_air_config_dialog_work_new           (AirConfigDialog *self,
                                                 WorkKind         kind,
                                                 GFile           *file,
                                                 GError         **error);
gboolean  _air_config_dialog_work_checked       (AirConfigDialog *self,
                                                 Work            *work,
                                                 const GError    *error);
void      _air_config_dialog_work_free          (Work            *work);
void      _air_config_dialog_run_work           (AirConfigDialog *self,
                                                 Work            *work,
                                                 gpointer         source_tag,
                                                 GAsyncReadyCallback callback);
char     *_air_config_dialog_dup_passphrase     (AirConfigDialog *self,
                                                 gboolean         confirm,
                                                 GError         **error);
void      _air_config_dialog_wipe_strv          (GStrv            strv);
void      _air_config_dialog_update             (AirConfigDialog *self);
void      _air_config_dialog_fail               (AirConfigDialog *self,
                                                 const GError    *error);

/* The dialog and its Work while the vault is asked something for it. */
typedef struct {
  AirConfigDialog *self;
  Work            *work;
} VaultCall;

VaultCall *_air_config_dialog_vault_call_new    (AirConfigDialog  *self,
                                                 Work             *work);
Work      *_air_config_dialog_vault_call_end    (VaultCall        *call,
                                                 AirConfigDialog **self);

/* air-config-dialog-export.c */
void      _air_config_dialog_clear_pending      (AirConfigDialog *self);

/* air-config-dialog-import.c */
void      _air_config_dialog_open               (AirConfigDialog *self);
void      _air_config_dialog_import_zones       (AirConfigDialog *self);
void      _air_config_dialog_show_plan          (AirConfigDialog *self);
void      _air_config_dialog_list_identities    (AirConfigDialog *self);

G_END_DECLS
