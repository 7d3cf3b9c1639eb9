#!/bin/bash
#
# DevStack plugin for Zaqar: stack.sh, unstack.sh and clean.sh call this
# file with the phase in $1 and $2; settings has been sourced already.

# shellcheck source=devstack/lib/zaqar
source "$(dirname "${BASH_SOURCE[0]}")/lib/zaqar"

if is_service_enabled zaqar-wsgi; then
    case "$1 ${2:-}" in
        "stack install")
            echo_summary "Installing Zaqar"
            install_zaqar
            ;;
        "stack post-config")
            echo_summary "Configuring Zaqar"
            configure_zaqar
            if is_service_enabled key; then
                create_zaqar_accounts
            fi
            ;;
        "stack extra")
            echo_summary "Starting Zaqar"
            init_zaqar
            start_zaqar
            ;;
        "stack test-config")
            if is_service_enabled tempest; then
                configure_tempest_for_zaqar
            fi
            ;;
        "unstack "*)
            stop_zaqar
            ;;
        "clean "*)
            stop_zaqar
            cleanup_zaqar
            ;;
    esac
fi
