/* SPDX-License-Identifier: GPL-2.0 */
#ifndef JIFL_SESSION_H
#define JIFL_SESSION_H

#include <linux/fs.h>
#include <linux/poll.h>

long jifl_session_ioctl(struct file *file, unsigned int cmd,
			void __user *uarg);
void jifl_session_release(struct file *file);
void jifl_session_exit(void);
int jifl_session_mmap(struct file *file, struct vm_area_struct *vma);
__poll_t jifl_session_poll(struct file *file, poll_table *wait);

#endif /* JIFL_SESSION_H */
