/* verify.h — `custos audit verify` and `custos audit export`: reading a trail directory
 * offline, with nothing but its files and the signing key's public half. */
#ifndef CU_AUDIT_VERIFY_H
#define CU_AUDIT_VERIFY_H

#include <stdio.h>

#include "chain.h"
#include "core/err.h"

struct audit_seqs;

struct audit_verify_options {
    const char *data_dir;        /* holds audit.log and audit-trail/ */
    const char *public_key_path; /* NULL: DIR/audit-trail/public-key.pem */
    int64_t from_s, to_s;        /* check the log files of digests overlapping [from, to];
                                  * 0: unbounded. Digests are always all checked. */
    struct audit_seqs *seqs;     /* NULL, or every record walked is noted in it (below) */
};

/* Check every digest (signature, the chain of digests), every log file they name (whole
 * gzip, hash, record count, the chain through its records), that no log file is left
 * unnamed, and the live audit.log's chain (its unsealed tail, as a crash left it, is
 * reported, not failed: the next start cuts and records it). *intact says whether all
 * held; report gets "OK: ..." or the first problem found, naming the file, line and
 * record, then a newline. Errors: CU_E_STORE when the public key cannot be read,
 * CU_E_NOMEM. */
MUST_CHECK cu_rc audit_verify(const struct audit_verify_options *o, struct buf *report,
                              bool *intact);

/* ---- several nodes (audit.h, "Several nodes") ----
 * Each node's trail is checked as above, on its own chain and its own key; what they
 * must satisfy together comes from the commitSeq of each mutation's record: the store's
 * change-log seq its commit took, one sequence for the whole store however many nodes
 * write. A record "took effect" when it has a commitSeq and no later record of its
 * requestID (on its node) settles it as not done (errorCode, no commitSeq: the pipeline's
 * or audit_reconcile's second record). What holds then:
 *   no two records that took effect name the same commitSeq — a seq is one commit, made
 *   by one call, so two would mean a record copied (or moved) between trails, or a node
 *   that recorded a commit it did not make;
 * and what does not: that the seqs are without gaps — commits no call makes (the first
 * start's bootstrap, `custos store migrate`), a node whose trail was not given, and
 * records outside --from/--to leave some; a record deleted from a trail is caught by its
 * chain, not here. The gaps are reported (how many, the first few), not failed. */

/* What the seq check collects while trails are walked; audit_seqs_note names the node. */
struct audit_seqs;
MUST_CHECK cu_rc audit_seqs_new(struct audit_seqs **out);
void audit_seqs_free(struct audit_seqs *s);
/* The records noted from now on are node's (an index into the names audit_seqs_check
 * gets). */
void audit_seqs_set_node(struct audit_seqs *s, uint32_t node);
/* Note one record line (without its newline); lines that are neither a mutation's record
 * nor a failure's cost a memmem or two. */
void audit_seqs_note(struct audit_seqs *s, const char *line, size_t n);
/* The check above over everything noted; report gets a "FAILED: ..." line (the seq, both
 * records' nodes and requestIDs) or an "OK: ..." line with the seqs covered and the gaps.
 * *ok says which. Errors: CU_E_NOMEM. */
MUST_CHECK cu_rc audit_seqs_check(struct audit_seqs *s, const char *const *nodes,
                                  struct buf *report, bool *ok);

/* `custos audit verify DIR DIR...`: each node's trail (DIR[i], its key public_keys[i] or
 * NULL: DIR/audit-trail/public-key.pem) verified as audit_verify does, reported under its
 * node name (node_id.h; the directory's last component when it keeps none), then — when
 * every trail is intact and no range was asked for — the seq check. *intact: all held.
 * Two trails of one node name fail. Errors: CU_E_STORE (a public key cannot be read),
 * CU_E_NOMEM. */
MUST_CHECK cu_rc audit_verify_nodes(const char *const *dirs, const char *const *public_keys,
                                    size_t n, int64_t from_s, int64_t to_s, struct buf *report,
                                    bool *intact);

/* `custos audit export DIR...`: write the records whose eventTime is in [since_s, until_s]
 * (0: unbounded) of the trails of data_dirs (n of them: one node's, or several nodes' on
 * one store) to out, oldest first, each record as it is stored: one record a line (jsonl,
 * the chain's member kept, so each node's lines can be checked against its digests) or
 * one CloudTrail log file {"Records":[...]} for them all (cloudtrail, without custos's
 * member). Several trails are merged by eventTime in trail_set_pick's order (a tie goes
 * to the node whose name sorts first), each read a record at a time (trail_reader.h); a
 * node's own records keep its trail's order, which its eventTimes may step back in (a
 * slow call's record follows quicker ones that came after it), so such a record follows
 * its node's earlier-written ones rather than being moved (export.c). Errors, with err's
 * message naming the DIR and file: CU_E_STORE (a file cannot be read or is cut short),
 * CU_E_VALIDATION (two DIRs are trails of one node name), CU_E_NOMEM. */
MUST_CHECK cu_rc audit_export(const char *const *data_dirs, size_t n, int64_t since_s,
                              int64_t until_s, bool cloudtrail, FILE *out, struct cu_err *err);

#endif
