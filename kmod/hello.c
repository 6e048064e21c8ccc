// SPDX-License-Identifier: GPL-2.0
/*
 * hello: the tutorial's first module, done correctly. /proc/helloworlddriver
 * (0444) returns "Hello world!\n"; unlike the tutorial's snippet, the read
 * handler honours the offset (simple_read_from_buffer), so a reader that
 * reads one byte at a time gets the whole greeting and then end of file.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/uaccess.h>

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("the tutorial's hello world: cat /proc/helloworlddriver");

static const char greeting[] = "Hello world!\n";
static struct proc_dir_entry *proc_entry;

static ssize_t hello_read(struct file *file, char __user *buf, size_t count, loff_t *ppos)
{
	if (*ppos == 0)
		pr_debug("calling our very own custom read method.\n");
	return simple_read_from_buffer(buf, count, ppos, greeting, sizeof(greeting) - 1);
}

static const struct proc_ops hello_ops = {
	.proc_read = hello_read,
	.proc_lseek = default_llseek,
};

static int __init hello_init(void)
{
	proc_entry = proc_create("helloworlddriver", 0444, NULL, &hello_ops);
	if (!proc_entry) {
		pr_err("Failed to create proc entry\n");
		return -ENOMEM;
	}
	pr_info("Hello world driver loaded.\n");
	return 0;
}

static void __exit hello_exit(void)
{
	proc_remove(proc_entry);
	pr_info("Goodbye my friend, I shall miss you dearly...\n");
}

module_init(hello_init);
module_exit(hello_exit);
