# mila's TAB completion for fish; made by 'mila completion fish'.
function _mila_completion
    # The interpreter mila's script names, started directly: pip's wrapper script imports
    # re first, a few milliseconds of every TAB.
    set -l mila mila
    set -l program (command -s mila)
    and read -l first < $program 2>/dev/null
    and string match -qr '^#!\S*python\S*$' -- $first
    and set mila (string sub -s 3 -- $first) -c 'import sys; del sys.path[0]; import mila_cli; mila_cli.main()'
    set -l response (env _MILA_COMPLETE=fish_complete COMP_WORDS=(commandline -cp) \
        COMP_CWORD=(commandline -t) $mila 2>/dev/null)

    for completion in $response
        # type,value<TAB>description: only the first comma separates (descriptions have commas)
        set -l metadata (string split --max 1 "," -- $completion)

        if test "$metadata[1]" = dir
            __fish_complete_directories $metadata[2]
        else if test "$metadata[1]" = file
            __fish_complete_path $metadata[2]
        else if test "$metadata[1]" = plain
            echo $metadata[2]
        end
    end
end

complete --no-files --command mila --arguments "(_mila_completion)"
