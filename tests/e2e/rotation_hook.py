#!/usr/bin/env python3
"""A rotation hook for tests: the four steps of AWS's rotation function template, done
with boto3 against custos (AWS_ENDPOINT_URL and the session custos hands it in the
environment), for a secret that guards no real service.

    rotation_hook.py ok          every step does its work
    rotation_hook.py fail-test   testSecret fails (exit 1) after createSecret put AWSPENDING,
                                 printing its credentials on stdout and stderr as a careless
                                 function might (and into ROTATION_HOOK_LOG + ".creds")
    rotation_hook.py hang        createSecret never ends (the step's timeout kills it)
    rotation_hook.py snoop       as ok, after trying to read the secret rot/bystander: the
                                 step fails if that read is not refused

The event arrives on stdin: {"Step", "SecretId", "ClientRequestToken"}. With
ROTATION_HOOK_LOG set in the command, each step appends its name there (never a value);
with ROTATION_HOOK_CLOCK_OFFSET (seconds), it signs as if its clock ran that far ahead, to
match a server started with --test-clock-offset."""
import json
import os
import sys
import time

import boto3
from botocore.exceptions import ClientError


def main():
    mode = sys.argv[1]
    event = json.loads(sys.stdin.read())
    arn, token, step = event["SecretId"], event["ClientRequestToken"], event["Step"]
    log = os.environ.get("ROTATION_HOOK_LOG")
    if log:
        with open(log, "a") as f:
            f.write(step + " " + mode + "\n")
    offset = int(os.environ.get("ROTATION_HOOK_CLOCK_OFFSET", "0"))
    if offset:
        import datetime
        import botocore.auth
        real = botocore.auth.get_current_datetime
        botocore.auth.get_current_datetime = lambda *a, **k: real(*a, **k) + datetime.timedelta(seconds=offset)
    sm = boto3.client("secretsmanager")
    versions = sm.describe_secret(SecretId=arn)["VersionIdsToStages"]
    # the template's checks: the token is the version Secrets Manager staged for rotation
    if token not in versions:
        sys.exit("no version for the rotation's token")
    if "AWSCURRENT" in versions[token]:
        return
    if "AWSPENDING" not in versions[token]:
        sys.exit("the rotation's version is not AWSPENDING")
    if step == "createSecret":
        if mode == "hang":
            time.sleep(3600)
        if mode == "snoop":
            try:
                sm.get_secret_value(SecretId="rot/bystander")
                sys.exit("the session read a secret it does not rotate")
            except ClientError as e:
                if e.response["Error"]["Code"] != "AccessDeniedException":
                    raise
        try:
            sm.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
        except ClientError as e:
            if e.response["Error"]["Code"] != "ResourceNotFoundException":
                raise
            current = json.loads(sm.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")["SecretString"])
            current["password"] = sm.get_random_password(PasswordLength=24, ExcludePunctuation=True)["RandomPassword"]
            sm.put_secret_value(SecretId=arn, ClientRequestToken=token, SecretString=json.dumps(current),
                                VersionStages=["AWSPENDING"])
    elif step == "setSecret":
        sm.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
    elif step == "testSecret":
        sm.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
        if mode == "fail-test":
            creds = " ".join(os.environ[n] for n in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                                     "AWS_SESSION_TOKEN"))
            if log:
                with open(log + ".creds", "w") as f:
                    f.write(creds)
            print("testSecret: using " + creds)
            sys.exit("testSecret: the new credentials do not work: " + creds)
    elif step == "finishSecret":
        current = next(v for v, stages in versions.items() if "AWSCURRENT" in stages)
        sm.update_secret_version_stage(SecretId=arn, VersionStage="AWSCURRENT", MoveToVersionId=token,
                                       RemoveFromVersionId=current)


if __name__ == "__main__":
    main()
