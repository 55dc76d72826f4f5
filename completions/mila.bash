# mila's TAB completion for bash; made by 'mila completion bash'.
_mila_completion() {
    local IFS=$'\n'
    local response type value program first
    program=$(type -P "$1") || return 0
    IFS= read -r first < "$program" 2>/dev/null
    if [[ $first == '#!'*python* && $first != *[[:space:]]* ]]; then
        # The interpreter mila's script names, started directly: pip's wrapper script
        # imports re first, a few milliseconds of every TAB.
        response=$(env COMP_WORDS="${COMP_WORDS[*]}" COMP_CWORD=$COMP_CWORD _MILA_COMPLETE=bash_complete \
            "${first#\#!}" -c 'import sys; del sys.path[0]; import mila_cli; mila_cli.main()' 2>/dev/null)
    else
        response=$(env COMP_WORDS="${COMP_WORDS[*]}" COMP_CWORD=$COMP_CWORD _MILA_COMPLETE=bash_complete \
            "$1" 2>/dev/null)
    fi

    for completion in $response; do
        IFS=',' read -r type value <<< "$completion"

        if [[ $type == 'dir' ]]; then
            COMPREPLY=()
            compopt -o dirnames
        elif [[ $type == 'file' ]]; then
            COMPREPLY=()
            compopt -o default
        elif [[ $type == 'plain' ]]; then
            COMPREPLY+=("$value")
        fi
    done

    return 0
}

complete -o nosort -F _mila_completion mila
